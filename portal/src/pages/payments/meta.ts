import type { PageMeta } from '../registry';

export const meta: PageMeta = { path: 'payments', navLabel: 'Payments', order: 30 };
