// `npm run docs:api`: writes the operations tables of docs/api.md (every Query, Mutation and
// Subscription field, with its arguments, type and description) from gateway/api-schema.graphql,
// between the two markers below. `--check` fails (exit 1) when the tables would change; the unit
// test launcher/src/api-docs.spec.ts runs the same check, so the reference cannot drift.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildSchema, type GraphQLField, type GraphQLObjectType } from 'graphql';

export const API_DOC_FILE = fileURLToPath(new URL('../../docs/api.md', import.meta.url));
export const API_SCHEMA_SDL_FILE = fileURLToPath(new URL('../../gateway/api-schema.graphql', import.meta.url));

export const OPERATIONS_BEGIN = '<!-- BEGIN GENERATED OPERATIONS: `npm run docs:api` rewrites this block from gateway/api-schema.graphql -->';
export const OPERATIONS_END = '<!-- END GENERATED OPERATIONS -->';

export const ROOT_TYPES = ['Query', 'Mutation', 'Subscription'] as const;
export type RootTypeName = (typeof ROOT_TYPES)[number];

export interface RootField {
  root: RootTypeName;
  name: string;
}

function rootTypes(sdl: string): Array<[RootTypeName, GraphQLObjectType]> {
  const schema = buildSchema(sdl, { assumeValidSDL: true });
  const byName: Record<RootTypeName, GraphQLObjectType | null | undefined> = {
    Query: schema.getQueryType(),
    Mutation: schema.getMutationType(),
    Subscription: schema.getSubscriptionType(),
  };
  return ROOT_TYPES.flatMap((name) => (byName[name] ? [[name, byName[name]!] as [RootTypeName, GraphQLObjectType]] : []));
}

/** Every root field of the public schema, sorted by name within Query, Mutation, Subscription. */
export function rootFields(sdl: string): RootField[] {
  return rootTypes(sdl).flatMap(([root, type]) =>
    Object.keys(type.getFields())
      .sort()
      .map((name) => ({ root, name })),
  );
}

const cell = (text: string) => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();

function row(field: GraphQLField<unknown, unknown>): string {
  const args = field.args.map((a) => `\`${a.name}: ${String(a.type)}\``).join(', ') || '—';
  const description = field.description ? cell(field.description) : '';
  return `| \`${field.name}\` | ${args} | \`${String(field.type)}\` | ${description} |`;
}

/** The generated block, markers included. */
export function operationsMarkdown(sdl: string): string {
  const sections = rootTypes(sdl).map(([root, type]) => {
    const fields = Object.values(type.getFields()).sort((a, b) => a.name.localeCompare(b.name));
    return [`#### ${root} (${fields.length})`, '', '| field | arguments | returns | description |', '|---|---|---|---|', ...fields.map(row)].join('\n');
  });
  return [OPERATIONS_BEGIN, '', ...sections.flatMap((s) => [s, '']), OPERATIONS_END].join('\n');
}

/** `doc` with its generated block replaced by one made from `sdl`. */
export function updateApiDoc(doc: string, sdl: string): string {
  const begin = doc.indexOf(OPERATIONS_BEGIN);
  const end = doc.indexOf(OPERATIONS_END);
  if (begin < 0 || end < begin) throw new Error(`docs/api.md: the markers of the generated operations block are missing:\n  ${OPERATIONS_BEGIN}\n  ${OPERATIONS_END}`);
  return doc.slice(0, begin) + operationsMarkdown(sdl) + doc.slice(end + OPERATIONS_END.length);
}

/** The document without its generated block (what the prose alone says). */
export function withoutGeneratedBlock(doc: string): string {
  const begin = doc.indexOf(OPERATIONS_BEGIN);
  const end = doc.indexOf(OPERATIONS_END);
  return begin < 0 || end < begin ? doc : doc.slice(0, begin) + doc.slice(end + OPERATIONS_END.length);
}

async function main() {
  const check = process.argv.includes('--check');
  const [doc, sdl] = await Promise.all([readFile(API_DOC_FILE, 'utf8'), readFile(API_SCHEMA_SDL_FILE, 'utf8')]);
  const updated = updateApiDoc(doc, sdl);
  if (check) {
    if (updated !== doc) {
      console.error('docs/api.md: the operations tables differ from gateway/api-schema.graphql (run `npm run docs:api`)');
      process.exit(1);
    }
    console.log('docs:api: docs/api.md is current');
    return;
  }
  if (updated !== doc) await writeFile(API_DOC_FILE, updated);
  console.log(updated !== doc ? `docs:api: wrote ${API_DOC_FILE}` : 'docs:api: docs/api.md was already current');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
