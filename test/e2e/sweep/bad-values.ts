// Bad-input cases generated from the schema: for every argument position of a root field (input
// objects walked recursively, list elements included), the values that type checking must refuse
// (`typeLevel`) and the hostile-but-well-typed values a resolver must survive (error or success,
// never a 500). Other arguments get a plausible base value, real ids where the sweep has them.
import {
  getNamedType, getNullableType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType,
  type GraphQLField, type GraphQLInputType,
} from 'graphql';
import { operationFor, type RootKind } from './schema.js';

export const OMIT = Symbol('omit');
/** `huge`: an oversized value every bounded input must refuse with BAD_USER_INPUT (never store). */
export interface BadValue { label: string; value: unknown; typeLevel: boolean; huge?: boolean }
export interface BadCase {
  field: string;
  kind: RootKind;
  /** e.g. `input.lineItems[0].unitAmount.amountMinor` */
  site: string;
  label: string;
  typeLevel: boolean;
  /** An oversized value: it must be refused (BAD_USER_INPUT; for an id, also not-found), never accepted. */
  huge?: 'text' | 'id' | 'json';
  query: string;
  variables: Record<string, unknown>;
}
/** Known ids by argument or input-field name (`merchantId`) and, for `id`, by the field's return type. */
export type IdLookup = (name: string, returnType: string) => string | undefined;

export const MISSING_ID = '01J0SWEEP0MISSING000000000';
const deep = (depth: number, leaf: unknown, wrap: (x: unknown) => unknown) => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = wrap(v);
  return v;
};
const hostileStrings: BadValue[] = [
  { label: 'empty', value: '', typeLevel: false },
  { label: 'huge-100kB', value: 'a'.repeat(100_000), typeLevel: false, huge: true },
  { label: 'emoji', value: '😀👩‍👩‍👧🏳️‍🌈', typeLevel: false },
  { label: 'rtl', value: '\u202Eevil\u202C مرحبا بالعالم', typeLevel: false },
  { label: 'nul', value: 'a\u0000b', typeLevel: false },
  { label: 'sql', value: "' OR 1=1 --", typeLevel: false },
  { label: 'html', value: '<script>alert(1)</script>', typeLevel: false },
  { label: 'template', value: '${process.env.HANDOFF_ADMIN_KEY}{{7*7}}', typeLevel: false },
  { label: 'path', value: '../../etc/passwd', typeLevel: false },
];
const notAString: BadValue[] = [
  { label: 'object-for-string', value: { a: 1 }, typeLevel: true },
  { label: 'int-for-string', value: 12, typeLevel: true },
];
const cursors: BadValue[] = [
  { label: 'cursor-garbage', value: 'not-a-cursor', typeLevel: false },
  { label: 'cursor-base64-json', value: Buffer.from('{"id":"x","at":"never"}').toString('base64url'), typeLevel: false },
  { label: 'cursor-base64-number', value: Buffer.from('99999999999999999999999').toString('base64'), typeLevel: false },
  { label: 'cursor-path', value: '../../etc/passwd', typeLevel: false },
  { label: 'cursor-nul', value: 'abc\u0000', typeLevel: false },
  { label: 'cursor-huge-100kB', value: 'a'.repeat(100_000), typeLevel: false, huge: true },
];
const hugeJson: BadValue[] = [
  { label: 'json-huge', value: { blob: 'b'.repeat(100_000) }, typeLevel: false, huge: true },
  { label: 'json-huge-key', value: { ['k'.repeat(100_000)]: 'v' }, typeLevel: false, huge: true },
  { label: 'json-many-keys', value: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, 'vvvvvvvvvvvvvvvvvvvv'])), typeLevel: false, huge: true },
];

function scalarValues(scalar: string, name: string): BadValue[] {
  switch (scalar) {
    case 'String':
      return name === 'after' ? [...cursors, ...notAString] : [...hostileStrings, ...notAString];
    case 'ID':
      return [
        { label: 'unknown-id', value: MISSING_ID, typeLevel: false },
        ...hostileStrings,
        { label: 'float-for-id', value: 1.5, typeLevel: true },
        { label: 'object-for-id', value: { id: 1 }, typeLevel: true },
      ];
    case 'Int':
      return [
        { label: 'string-for-int', value: '12', typeLevel: true },
        { label: 'float-for-int', value: 1.5, typeLevel: true },
        { label: 'int-overflow', value: 2 ** 31, typeLevel: true },
        { label: 'negative', value: -1, typeLevel: false },
        { label: 'zero', value: 0, typeLevel: false },
        { label: 'int-max', value: 2 ** 31 - 1, typeLevel: false },
      ];
    case 'SafeInt':
      return [
        { label: 'string-for-safeint', value: '12', typeLevel: true },
        { label: 'float-for-safeint', value: 1.5, typeLevel: true },
        { label: 'two-to-the-60', value: 2 ** 60, typeLevel: true },
        { label: 'negative', value: -1, typeLevel: false },
        { label: 'zero', value: 0, typeLevel: false },
        { label: 'max-safe', value: Number.MAX_SAFE_INTEGER, typeLevel: false },
      ];
    case 'Boolean':
      return [
        { label: 'string-for-boolean', value: 'true', typeLevel: true },
        { label: 'int-for-boolean', value: 1, typeLevel: true },
      ];
    case 'DateTime':
      return [
        { label: 'not-a-date', value: 'not-a-date', typeLevel: true },
        { label: 'impossible-date', value: '2026-13-45T25:61:00Z', typeLevel: true },
        { label: 'object-for-date', value: { a: 1 }, typeLevel: true },
        { label: 'year-1', value: '0001-01-01T00:00:00Z', typeLevel: false },
        { label: 'year-9999', value: '9999-12-31T23:59:59Z', typeLevel: false },
      ];
    case 'JSON':
      return [
        { label: 'deep-object-200', value: deep(200, 1, (x) => ({ a: x })), typeLevel: false },
        { label: 'deep-array-200', value: deep(200, 1, (x) => [x]), typeLevel: false },
        { label: 'json-nul', value: { 'k\u0000': 'v\u0000' }, typeLevel: false },
        ...hugeJson,
        { label: 'json-injection', value: { "' OR 1=1 --": '<script>alert(1)</script>', __proto__x: '${x}' }, typeLevel: false },
        { label: 'json-scalar', value: 12, typeLevel: false },
      ];
    case 'JSONObject':
      return [
        { label: 'deep-object-200', value: deep(200, 1, (x) => ({ a: x })), typeLevel: false },
        { label: 'array-for-object', value: [1, 2], typeLevel: true },
        { label: 'string-for-object', value: 'x', typeLevel: true },
        ...hugeJson,
      ];
    default:
      return [...notAString];
  }
}

function badValuesAt(type: GraphQLInputType, name: string, base: unknown): BadValue[] {
  const out: BadValue[] = [];
  if (isNonNullType(type)) {
    out.push({ label: 'null-for-required', value: null, typeLevel: true }, { label: 'missing-required', value: OMIT, typeLevel: true });
  }
  const t = getNullableType(type);
  if (isListType(t)) {
    out.push({ label: 'empty-list', value: [], typeLevel: false });
    if (isNonNullType(t.ofType)) out.push({ label: 'null-element', value: [null], typeLevel: true });
    out.push({ label: 'many-elements', value: Array.from({ length: 500 }, () => (Array.isArray(base) ? base[0] : base)), typeLevel: false });
  } else if (isInputObjectType(t)) {
    out.push({ label: 'string-for-object', value: 'x', typeLevel: true });
    out.push({ label: 'unknown-field', value: { ...(base as object), sweepUnknown: 1 }, typeLevel: true });
  } else if (isEnumType(t)) {
    const first = t.getValues()[0]!.name;
    out.push(
      { label: 'bad-enum', value: 'NOT_A_VALUE', typeLevel: true },
      { label: 'lowercase-enum', value: first.toLowerCase(), typeLevel: true },
      { label: 'int-for-enum', value: 1, typeLevel: true },
    );
  } else if (isScalarType(t)) {
    out.push(...scalarValues(t.name, name));
  }
  return out;
}

/** A plausible value of `type`: required fields and known ids only. */
export function baseValue(type: GraphQLInputType, name: string, returnType: string, ids: IdLookup): unknown {
  const t = getNullableType(type);
  if (isListType(t)) return [baseValue(t.ofType, name, returnType, ids)];
  if (isInputObjectType(t)) {
    const preset = PRESETS[t.name];
    const obj: Record<string, unknown> = {};
    for (const f of Object.values(t.getFields())) {
      if (isNonNullType(f.type) || ids(f.name, '') !== undefined) obj[f.name] = baseValue(f.type, f.name, '', ids);
    }
    return { ...obj, ...preset };
  }
  if (isEnumType(t)) return t.getValues()[0]!.value;
  switch (getNamedType(t).name) {
    case 'ID':
      return ids(name, returnType) ?? MISSING_ID;
    case 'Int':
      return 1;
    case 'SafeInt':
      return 1000;
    case 'Boolean':
      return true;
    case 'DateTime':
      return new Date().toISOString();
    case 'JSON':
    case 'JSONObject':
      return {};
    default:
      return STRING_BASE[name] ?? 'sweep';
  }
}
const STRING_BASE: Record<string, string> = {
  currency: 'GBP', defaultCurrency: 'GBP', country: 'GB', step: 'payment_received', status: 'completed',
  type: 'instant_checkout', queue: 'webhook-ingest', orderReference: 'SWEEP-1', testCard: '4242424242424242',
};
/** Inputs whose required fields alone are not a valid whole. */
const PRESETS: Record<string, Record<string, unknown>> = {
  CommissionTermsInput: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } },
  PaymentMethodInput: { testCard: '4242424242424242' },
};

interface Site { path: Array<string | number>; type: GraphQLInputType; name: string }
function* sitesOf(type: GraphQLInputType, path: Array<string | number>, name: string): Generator<Site> {
  yield { path, type, name };
  const t = getNullableType(type);
  if (isListType(t)) yield* sitesOf(t.ofType, [...path, 0], name);
  else if (isInputObjectType(t)) for (const f of Object.values(t.getFields())) yield* sitesOf(f.type, [...path, f.name], f.name);
}

function setAt(root: Record<string, unknown>, path: Array<string | number>, value: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  let node: any = copy;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = typeof key === 'number' ? [] : {};
    node = node[key];
  }
  const last = path[path.length - 1]!;
  if (value === OMIT) delete node[last];
  else node[last] = value;
  return copy;
}

const siteName = (path: Array<string | number>) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1);

/** Every case of one root field, unsampled. */
export function casesFor(kind: RootKind, field: GraphQLField<unknown, unknown>, ids: IdLookup): BadCase[] {
  const returnType = getNamedType(field.type).name;
  const base: Record<string, unknown> = {};
  for (const a of field.args) {
    if (isNonNullType(a.type) || ids(a.name, returnType) !== undefined) base[a.name] = baseValue(a.type, a.name, returnType, ids);
  }
  const query = operationFor(kind, field);
  const cases: BadCase[] = [];
  for (const arg of field.args) {
    for (const site of sitesOf(arg.type, [arg.name], arg.name)) {
      const baseHere = site.path.reduce<any>((n, k) => (n == null ? undefined : n[k]), base) ?? baseValue(site.type, site.name, returnType, ids);
      const scalar = getNamedType(site.type).name;
      for (const bad of badValuesAt(site.type, site.name, baseHere)) {
        const huge = !bad.huge ? undefined : scalar === 'ID' ? 'id' : scalar.startsWith('JSON') ? 'json' : 'text';
        cases.push({ field: field.name, kind, site: siteName(site.path), label: bad.label, typeLevel: bad.typeLevel, ...(huge ? { huge } : {}), query, variables: setAt(base, site.path, bad.value) });
      }
    }
  }
  cases.push(...inlineCases(kind, field));
  return cases;
}

/** A few cases written into the document itself rather than passed as variables. */
function inlineCases(kind: RootKind, field: GraphQLField<unknown, unknown>): BadCase[] {
  const sel = operationFor(kind, { ...field, args: [] } as GraphQLField<unknown, unknown>).replace(/^\w+ Sweep /, '');
  const required = field.args.find((a) => isNonNullType(a.type));
  const scalarArg = field.args.find((a) => isScalarType(getNullableType(a.type)) && ['ID', 'String'].includes(getNamedType(a.type).name));
  const out: BadCase[] = [];
  const make = (label: string, args: string, typeLevel: boolean) =>
    out.push({ field: field.name, kind, site: '(inline)', label, typeLevel, query: `${kind} ${sel.replace(field.name, `${field.name}${args}`)}`, variables: {} });
  if (required) make('inline-missing-required', '', true);
  if (field.args[0]) make('inline-object-literal', `(${field.args[0].name}: { sweep: [1, { deeper: "x" }] })`, true);
  if (scalarArg) make('inline-sql', `(${scalarArg.name}: ${JSON.stringify("' OR 1=1 --")})`, false);
  if (scalarArg) make('inline-unicode-escape-nul', `(${scalarArg.name}: "x\\u0000y")`, false);
  return out;
}

/** Deterministic sample: every label kind first (round robin), then the rest, up to `max`; plus every
 *  oversized-value case, whatever `max` (each String, ID and JSON position must refuse one). */
export function sample(cases: BadCase[], max: number, seed: number): BadCase[] {
  if (cases.length <= max) return cases;
  const picked = sampleUpTo(cases, max, seed);
  return [...picked, ...cases.filter((c) => c.huge && !picked.includes(c))];
}

function sampleUpTo(cases: BadCase[], max: number, seed: number): BadCase[] {
  let s = seed >>> 0;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const byLabel = new Map<string, BadCase[]>();
  for (const c of [...cases].sort(() => rand() - 0.5)) byLabel.set(c.label, [...(byLabel.get(c.label) ?? []), c]);
  const out: BadCase[] = [];
  const queues = [...byLabel.values()];
  while (out.length < max && queues.some((q) => q.length)) for (const q of queues) if (q.length && out.length < max) out.push(q.shift()!);
  return out;
}
