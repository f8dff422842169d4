// The portal's pages, found by folder: every `pages/<name>/meta.ts` (small, in the first load:
// the navigation needs it) with its `pages/<name>/Page.tsx` (its own chunk, loaded on first visit).
// Adding a page is adding a folder; nothing else changes (portal/README.md).
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { Role } from '../api/accounts';

export interface PageMeta {
  /** The path under /portal/ ("live"; nested paths such as "payments/:id" are allowed). */
  path: string;
  /** The navigation's label; a page without one is routed but not listed (a detail page). */
  navLabel?: string;
  /** Order in the navigation (lower first). */
  order: number;
  /** Roles that may open the page; all when absent. */
  roles?: readonly Role[];
}

export interface PortalPage extends PageMeta {
  Component: LazyExoticComponent<ComponentType>;
}

const metas = import.meta.glob<PageMeta>('./*/meta.ts', { eager: true, import: 'meta' });
const components = import.meta.glob<{ default: ComponentType }>('./*/Page.tsx');

export function pagesFrom(
  metaModules: Record<string, PageMeta>,
  componentModules: Record<string, () => Promise<{ default: ComponentType }>>,
): PortalPage[] {
  return Object.entries(metaModules)
    .map(([file, meta]) => {
      const load = componentModules[file.replace(/meta\.ts$/, 'Page.tsx')];
      if (!load) throw new Error(`portal page ${file}: no Page.tsx beside it`);
      return { ...meta, Component: lazy(load) };
    })
    .sort((a, b) => a.order - b.order || a.path.localeCompare(b.path));
}

export const pages: readonly PortalPage[] = pagesFrom(metas, components);

export function pagesFor(role: Role): PortalPage[] {
  return pages.filter((p) => !p.roles || p.roles.includes(role));
}
