import type { PageMeta } from '../registry';

export const meta: PageMeta = { path: 'conversions', navLabel: 'Conversions and payouts', order: 50 };
