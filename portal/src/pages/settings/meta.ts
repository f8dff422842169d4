import type { PageMeta } from '../registry';

export const meta: PageMeta = { path: 'settings', navLabel: 'Settings', order: 90 };
