import type { PageMeta } from '../registry';

export const meta: PageMeta = { path: 'overview', navLabel: 'Overview', order: 20 };
