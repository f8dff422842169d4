import type { PageMeta } from '../registry';

export const meta: PageMeta = { path: 'payments/:id', order: 31 };
