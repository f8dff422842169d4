import type { PageMeta } from '../registry';

export const meta: PageMeta = { path: 'live', navLabel: 'Live', order: 10 };
