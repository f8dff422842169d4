// package.json says which Node Handoff runs on (`engines.node`, README's "Node ≥ …"). That is
// only true if every installed package accepts that Node too: npm prints EBADENGINE otherwise,
// and such a package may use what the oldest supported Node lacks. The root package.json's
// "overrides" hold back the @graphql-codegen/cli chain's packages that moved to Node ≥ 22.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Manifest {
  name?: string;
  version?: string;
  engines?: { node?: unknown };
  workspaces?: string[];
}

const readManifest = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8')) as Manifest;

/** Every package installed under a node_modules directory, nested ones included (not links). */
function installedPackages(nodeModules: string, found: string[] = []): string[] {
  if (!existsSync(nodeModules)) return found;
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = path.join(nodeModules, entry.name);
    if (entry.name.startsWith('@')) {
      for (const scoped of readdirSync(dir, { withFileTypes: true })) {
        if (scoped.isDirectory()) visit(path.join(dir, scoped.name), found);
      }
    } else {
      visit(dir, found);
    }
  }
  return found;
}

function visit(dir: string, found: string[]): void {
  if (existsSync(path.join(dir, 'package.json'))) found.push(dir);
  installedPackages(path.join(dir, 'node_modules'), found);
}

/** The packages whose engines.node range leaves out `node` (invalid ranges are left to npm). */
function packagesExcluding(node: string, dirs: string[]): string[] {
  const offenders: string[] = [];
  for (const dir of dirs) {
    let manifest: Manifest;
    try {
      manifest = readManifest(path.join(dir, 'package.json'));
    } catch {
      continue; // a fixture or a broken file inside a package, not a package of its own
    }
    const range = manifest.engines?.node;
    if (typeof range !== 'string' || semver.validRange(range) === null) continue;
    if (!semver.satisfies(node, range)) {
      offenders.push(`${path.relative(root, dir)} (${manifest.name}@${manifest.version}) wants node ${range}`);
    }
  }
  return offenders;
}

describe('Node engines', () => {
  const rootManifest = readManifest(path.join(root, 'package.json'));
  const declared = rootManifest.engines?.node;

  it('the root package.json declares a minimum Node', () => {
    expect(typeof declared).toBe('string');
    expect(semver.minVersion(declared as string)).not.toBeNull();
  });

  it("every installed package accepts the root package.json's minimum Node", () => {
    const minimum = semver.minVersion(declared as string)!.version;
    const dirs = installedPackages(path.join(root, 'node_modules'));
    for (const workspace of rootManifest.workspaces ?? []) {
      installedPackages(path.join(root, workspace, 'node_modules'), dirs);
    }
    expect(dirs.length).toBeGreaterThan(100); // node_modules was found and walked
    expect(packagesExcluding(minimum, dirs)).toEqual([]);
  });

  it('the check reports a package whose engines leave the Node version out', () => {
    // Without this, a walk that found no engines at all would pass the test above.
    const dirs = installedPackages(path.join(root, 'node_modules'));
    const offenders = packagesExcluding('16.0.0', dirs);
    expect(offenders.length).toBeGreaterThan(0);
    expect(offenders.join('\n')).toMatch(/wants node >=/);
  });
});
