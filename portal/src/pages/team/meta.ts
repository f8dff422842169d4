import type { PageMeta } from '../registry';

export const meta: PageMeta = { path: 'team', navLabel: 'Team', order: 95, roles: ['OWNER'] };
