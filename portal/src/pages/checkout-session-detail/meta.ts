import type { PageMeta } from '../registry';

export const meta: PageMeta = { path: 'checkout-sessions/:id', order: 41 };
