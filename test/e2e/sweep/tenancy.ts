// The tenancy sweep's calls, generated from the schema: by-id roots (every Query field with an
// `id: ID!` argument), and every other root a principal may read (lists, connections, viewer,
// balances, summaries), plain and with the other tenant's ids in each id-typed argument or
// filter field; each with the nested selection of selection.ts. The responses' data are searched
// for the other tenant's ids.
import { getNamedType, getNullableType, isEnumType, isInputObjectType, isNonNullType, type GraphQLEnumType, type GraphQLField } from 'graphql';
import type { GqlClient } from '../../support/client.js';
import { printTree, rootTree, splitTree, type SelectionTree } from './selection.js';
import { rootFields } from './schema.js';
import type { Tenant } from './tenants.js';

/** Which tenant object an id-typed argument or filter field of this name takes. */
export const ID_ARG_TYPES: Record<string, string> = {
  merchantId: 'Merchant', offerId: 'Offer', agentId: 'Agent', sessionId: 'AgentSession', recommendationId: 'Recommendation',
  conversionId: 'Conversion', checkoutSessionId: 'CheckoutSession', paymentIntentId: 'PaymentIntent', endpointId: 'WebhookEndpoint',
};
/** The catalog agents shop from: active merchants and their offers are everyone's to see. */
export const PUBLIC_TO: Record<string, Set<string>> = { AGENT: new Set(['Merchant', 'Offer']), MERCHANT: new Set() };
export const DENIAL_CODES = new Set([
  'FORBIDDEN', 'NOT_FOUND', 'SESSION_NOT_FOUND', 'RECOMMENDATION_NOT_FOUND', 'OFFER_NOT_FOUND', 'MERCHANT_NOT_FOUND',
  'CHECKOUT_SESSION_NOT_FOUND', 'RESERVATION_NOT_FOUND', 'FINALIZATION_NOT_FOUND', 'ORDER_NOT_FOUND', 'HOSTED_CHECKOUT_NOT_FOUND', 'EXPORT_NOT_FOUND', 'PAYMENT_INTENT_NOT_FOUND', 'CONVERSION_NOT_FOUND', 'AGENT_NOT_FOUND', 'API_KEY_NOT_FOUND', 'INVITATION_NOT_FOUND',
  // Delegated payments: another agent's token is not found; a token (the caller's) aimed at another tenant's merchant or session is refused.
  'DELEGATED_TOKEN_NOT_FOUND', 'DELEGATED_TOKEN_WRONG_MERCHANT', 'DELEGATED_TOKEN_WRONG_CHECKOUT',
]);
export const DEPTH = 4;
/** Each tenant has a handful of each object: a page of 10 holds them all, and keeps the cost limit. */
const ROOT_FIRST = 10;

export interface Principal { role: 'MERCHANT' | 'AGENT'; tenant: Tenant; client: GqlClient }
export interface RootCall { field: string; label: string; args: string; tree: SelectionTree }

export const principalsOf = (t: Tenant): Principal[] => [
  { role: 'MERCHANT', tenant: t, client: t.merchant },
  { role: 'AGENT', tenant: t, client: t.agent },
];

/** The other tenant's ids this principal must never see, with their type names. */
export function forbiddenIds(p: Principal, other: Tenant): Map<string, string> {
  const out = new Map<string, string>();
  for (const [type, ids] of Object.entries(other.ids)) if (!PUBLIC_TO[p.role]!.has(type)) for (const id of ids) out.set(id, type);
  return out;
}

export const byIdRoots = (): Array<GraphQLField<unknown, unknown>> =>
  rootFields('query').filter((f) => f.args.some((a) => a.name === 'id' && getNamedType(a.type).name === 'ID'));

const lit = (v: string) => JSON.stringify(v);

/** Every readable root of the schema as calls: own ids for by-id roots, plain and other-tenant-id variants for the rest. */
export function rootCalls(own: Tenant, other: Tenant): { calls: RootCall[]; skipped: string[] } {
  const calls: RootCall[] = [];
  const skipped: string[] = [];
  for (const field of rootFields('query')) {
    const tree = rootTree(field, DEPTH);
    if (!tree) continue; // a scalar root carries no tenant data
    const returnType = getNamedType(field.type).name;
    if (byIdRoots().includes(field)) {
      for (const id of own.ids[returnType] ?? []) calls.push({ field: field.name, label: `own ${returnType}`, args: `(id: ${lit(id)})`, tree });
      continue;
    }
    const required = field.args.filter((a) => isNonNullType(a.type));
    // A required id of a known type (checkoutHolds' checkoutSessionId, stockLevels' offerId) is given the caller's own id; its variant, the other tenant's.
    const ownIdArg = (a: (typeof required)[number]) => ID_ARG_TYPES[a.name] !== undefined && getNamedType(a.type).name === 'ID' && (own.ids[ID_ARG_TYPES[a.name]!] ?? []).length > 0;
    const unsupported = required.filter((a) => !isEnumType(getNullableType(a.type)) && !ownIdArg(a));
    if (unsupported.length) {
      skipped.push(`${field.name} (required ${unsupported.map((a) => a.name).join(', ')})`);
      continue;
    }
    // Every combination of required enum values (e.g. commissionSummary's groupBy).
    let bases: string[][] = [[]];
    for (const a of required) {
      if (ownIdArg(a)) {
        bases = bases.map((b) => [...b, `${a.name}: ${lit(own.ids[ID_ARG_TYPES[a.name]!]![0]!)}`]);
        continue;
      }
      const values = (getNullableType(a.type) as GraphQLEnumType).getValues().map((v) => `${a.name}: ${v.name}`);
      bases = bases.flatMap((b) => values.map((v) => [...b, v]));
    }
    const first = field.args.some((a) => a.name === 'first') ? [`first: ${ROOT_FIRST}`] : [];
    const variants: Array<[string, string[], string?]> = [['plain', []]];
    for (const a of field.args) {
      const t = getNullableType(a.type);
      const type = ID_ARG_TYPES[a.name];
      if (type && getNamedType(t).name === 'ID') for (const id of other.ids[type] ?? []) variants.push([`${a.name}=other`, [`${a.name}: ${lit(id)}`], a.name]);
      if (isInputObjectType(t)) {
        for (const f of Object.values(t.getFields())) {
          const ft = ID_ARG_TYPES[f.name];
          if (ft && getNamedType(f.type).name === 'ID') for (const id of other.ids[ft] ?? []) variants.push([`${a.name}.${f.name}=other`, [`${a.name}: { ${f.name}: ${lit(id)} }`]]);
        }
      }
    }
    for (const b of bases) {
      for (const [label, extra, replaces] of variants) {
        // The other tenant's id replaces the caller's own in a required argument.
        const base = replaces ? b.filter((x) => !x.startsWith(`${replaces}: `)) : b;
        const args = [...base, ...first, ...extra];
        calls.push({ field: field.name, label: [label, ...b].join(' '), args: args.length ? `(${args.join(', ')})` : '', tree });
      }
    }
  }
  return { calls, skipped };
}

/** The call's data (errors allowed), split into smaller queries while the gateway's limits refuse it. */
export async function fetchData(client: GqlClient, call: RootCall, tree = call.tree): Promise<{ data: unknown[]; errors: string[]; queries: number }> {
  const r = await client.request(`{ ${call.field}${call.args} ${printTree(tree)} }`);
  const tooBig = r.errors?.some((e) => e.extensions?.code === 'QUERY_TOO_COMPLEX' || /limit|too (deep|complex|many)/i.test(e.message));
  if (!tooBig) {
    if (r.status >= 500) throw new Error(`${call.field}${call.args}: HTTP ${r.status}`);
    return { data: [r.data ?? null], errors: (r.errors ?? []).map((e) => `${e.extensions?.code}: ${e.message}`), queries: 1 };
  }
  const parts = splitTree(tree);
  if (!parts.length) throw new Error(`${call.field}: the gateway refuses even a single path: ${r.errors?.[0]?.message}`);
  const out = { data: [] as unknown[], errors: [] as string[], queries: 1 };
  for (const part of parts) {
    const sub = await fetchData(client, call, part);
    out.data.push(...sub.data);
    out.errors.push(...sub.errors);
    out.queries += sub.queries;
  }
  return out;
}

/**
 * Ids of `forbidden` in `data`: an object of that type with that id, or, for ids long enough to be
 * unique (not a ledger's sequence numbers), the id anywhere inside a value (e.g. `merchant:<id>`).
 */
export function leakedIds(data: unknown, forbidden: Map<string, string>): string[] {
  const found = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.id === 'string' && forbidden.has(o.id) && forbidden.get(o.id) === o.__typename) found.add(`${o.__typename} ${o.id}`);
      Object.values(o).forEach(walk);
    }
  };
  walk(data);
  const text = JSON.stringify(data);
  for (const [id, type] of forbidden) if (id.length >= 16 && text.includes(id)) found.add(`${type} ${id}`);
  return [...found];
}
