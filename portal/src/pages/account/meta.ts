import type { PageMeta } from '../registry';

export const meta: PageMeta = { path: 'account', navLabel: 'Your sessions', order: 100 };
