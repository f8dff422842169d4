// What the REST edges share about bad input: each route's body is checked against its shape here,
// in the route's own JSON names, BEFORE any GraphQL operation is built, so a wrong type, an
// unknown key (a Stripe-style `price_data`), `1e309` or a nested array is answered
// `line_items[0].amount: must be an integer.` instead of the adapter's
// `Variable "$input" got invalid value …`. The services' own rules (ranges, currencies, URLs) still
// answer from the graph; restFailure() renames their fields into the route's names and never lets
// GraphQL's wording through.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';

/** The shape of a value in a REST body. `required` fields must be present and not null. */
export type Shape =
  | { kind: 'string'; required?: boolean; max?: number }
  | { kind: 'integer'; required?: boolean; min?: number; max?: number }
  /** A JSON number or a numeric string (seed 001's major-unit amounts). */
  | { kind: 'decimal'; required?: boolean }
  | { kind: 'boolean'; required?: boolean }
  /** A free-form JSON object (metadata, userDetails): bounded in depth and size, checked further by the service. */
  | { kind: 'json-object'; required?: boolean }
  | { kind: 'object'; required?: boolean; fields: Readonly<Record<string, Shape>> }
  | { kind: 'array'; required?: boolean; items: Shape; max?: number };

export type ObjectShape = Extract<Shape, { kind: 'object' }>;

export interface RestInputProblem {
  field: string;
  message: string;
}

const DEFAULT_STRING_MAX = 2048;
const JSON_MAX_DEPTH = 8;
const JSON_MAX_NODES = 1000;
const NUL = '\u0000';

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const problem = (field: string, message: string): RestInputProblem => ({ field, message });

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isFinite(value) ? 'a number' : 'a number out of range';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Depth and size of free-form JSON; undefined when within bounds, else the problem. */
function jsonBounds(value: unknown, field: string): RestInputProblem | undefined {
  let nodes = 0;
  const walk = (v: unknown, depth: number, at: string): RestInputProblem | undefined => {
    if (++nodes > JSON_MAX_NODES) return problem(field, `must have at most ${JSON_MAX_NODES} values.`);
    if (typeof v === 'string') return v.includes(NUL) ? problem(at, 'must not contain the NUL character.') : undefined;
    if (typeof v === 'number' && !Number.isFinite(v)) return problem(at, 'must be a finite number.');
    if (!v || typeof v !== 'object') return undefined;
    if (depth >= JSON_MAX_DEPTH) return problem(field, `must be nested at most ${JSON_MAX_DEPTH} levels deep.`);
    const entries = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x] as const) : Object.entries(v).map(([k, x]) => [`.${k}`, x] as const);
    for (const [suffix, x] of entries) {
      if (suffix.includes(NUL)) return problem(at, 'must not contain the NUL character.');
      const found = walk(x, depth + 1, `${at}${suffix}`);
      if (found) return found;
    }
    return undefined;
  };
  return walk(value, 0, field);
}

/** The first problem of `value` against `shape` at `field`, in the route's own names; undefined when it fits. */
export function checkShape(value: unknown, shape: Shape, field: string): RestInputProblem | undefined {
  if (value === undefined || value === null) return shape.required ? problem(field, 'is required.') : undefined;
  switch (shape.kind) {
    case 'string': {
      if (typeof value !== 'string') return problem(field, `must be a string, not ${typeName(value)}.`);
      const max = shape.max ?? DEFAULT_STRING_MAX;
      if (value.length > max) return problem(field, `must be at most ${max} characters.`);
      if (value.includes(NUL)) return problem(field, 'must not contain the NUL character.');
      return undefined;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return problem(field, `must be an integer, not ${typeName(value)}.`);
      const min = shape.min ?? Number.MIN_SAFE_INTEGER;
      const max = shape.max ?? Number.MAX_SAFE_INTEGER;
      if (value < min || value > max) return problem(field, `must be an integer from ${min} to ${max}.`);
      return undefined;
    }
    case 'decimal':
      if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string') {
        return problem(field, `must be a number, not ${typeName(value)}.`);
      }
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : problem(field, `must be true or false, not ${typeName(value)}.`);
    case 'json-object':
      if (typeof value !== 'object' || Array.isArray(value)) return problem(field, `must be an object, not ${typeName(value)}.`);
      return jsonBounds(value, field);
    case 'array': {
      if (!Array.isArray(value)) return problem(field, `must be a list, not ${typeName(value)}.`);
      if (shape.max !== undefined && value.length > shape.max) return problem(field, `must have at most ${shape.max} entries.`);
      for (let i = 0; i < value.length; i++) {
        const found = checkShape(value[i], { ...shape.items, required: true }, `${field}[${i}]`);
        if (found) return found;
      }
      return undefined;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return problem(field || 'body', `must be an object, not ${typeName(value)}.`);
      const known = Object.keys(shape.fields);
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape.fields, key)) {
          const shown = key.length > 40 || key.includes(NUL) ? `${key.slice(0, 40).replaceAll(NUL, '')}…` : key;
          return problem(join(field, shown), `is not a field of this request (known fields: ${known.join(', ')}).`);
        }
      }
      for (const key of known) {
        const found = checkShape((value as Record<string, unknown>)[key], shape.fields[key]!, join(field, key));
        if (found) return found;
      }
      return undefined;
    }
  }
}

/** The body's first problem against the route's shape (the body itself must be a JSON object). */
export function checkBody(body: unknown, shape: ObjectShape): RestInputProblem | undefined {
  if (body === undefined) return problem('body', 'must be a JSON object.');
  return checkShape(body, { ...shape, required: true }, '');
}

/** The REST error body: `{ error: "<field>: <message>", code, field }`. */
export function inputProblemBody(p: RestInputProblem): { error: string; code: 'BAD_USER_INPUT'; field: string } {
  return { error: `${p.field}: ${p.message}`, code: 'BAD_USER_INPUT', field: p.field };
}

/** A body parser whose failures answer in the REST edges' `{ error, code }` shape, never /graphql's. */
export function restJsonBody(limit: string | number): RequestHandler {
  const parse = express.json({ limit, type: ['application/json', 'application/*+json'] });
  const shown = typeof limit === 'number' ? `${limit} bytes` : limit;
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const type = (err as { type?: string }).type;
      if (type === 'entity.too.large') return void res.status(413).json({ error: `The body must be at most ${shown}.`, code: 'BAD_REQUEST' });
      if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
        return void res.status(415).json({ error: 'Unsupported body encoding or charset.', code: 'BAD_REQUEST' });
      }
      res.status(400).json({ error: 'The body must be valid JSON.', code: 'BAD_USER_INPUT' });
    });
}

// GraphQL's own words: never shown by a REST edge.
const GRAPHQL_WORDING = /Variable "\$|got invalid value|cannot represent|GraphQL|Expected type|Field "|\$input|Input\b|SafeInt|\bID\b/;

/**
 * A BAD_USER_INPUT from the graph in the route's words: its field (a GraphQL input path such as
 * `lineItems[0].unitAmount.amountMinor`, or the path of a variable-coercion error) renamed by
 * `rename` (to `line_items[0].amount`), and a message without GraphQL's vocabulary.
 */
export function restInputError(error: GraphQLFormattedError, rename: (graphqlField: string) => string): { field?: string; message: string } {
  const message = error.message;
  const ext = error.extensions ?? {};
  let graphqlField = typeof ext.field === 'string' ? ext.field : undefined;
  let rest = graphqlField !== undefined && message.startsWith(`${graphqlField}: `) ? message.slice(graphqlField.length + 2) : undefined;
  if (graphqlField === undefined) {
    // Variable coercion: `Variable "$input" got invalid value … at "input.lineItems[0].quantity"; …`.
    const at = /at "[A-Za-z_]\w*\.([^"]+)"/.exec(message);
    graphqlField = at ? at[1] : /^Variable "\$/.test(message) ? '' : undefined;
  }
  // A whole variable (`$input`) is the body itself.
  const field = graphqlField === undefined ? undefined : graphqlField === '' ? 'body' : rename(graphqlField);
  if (rest === undefined || GRAPHQL_WORDING.test(rest)) rest = /(?:integer|Int\b|SafeInt|Float)/.test(message) ? 'must be an integer within range.' : 'is not valid.';
  return { ...(field ? { field } : {}), message: field ? `${field}: ${rest}` : `The request is not valid: ${rest}` };
}
