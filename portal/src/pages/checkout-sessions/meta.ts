import type { PageMeta } from '../registry';

export const meta: PageMeta = { path: 'checkout-sessions', navLabel: 'Checkout sessions', order: 40 };
