import type { PageMeta } from '../registry';

export const meta: PageMeta = { path: 'conversions/:id', order: 51 };
