import type { PageMeta } from '../registry';

export const meta: PageMeta = { path: 'developers', navLabel: 'Developers', order: 80 };
