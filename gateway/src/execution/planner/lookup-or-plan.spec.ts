// HandoffExecutor.lookupOrPlan: a text not seen before is parsed, validated and planned without
// Apollo Server, or left to it (undefined) — with nothing cached when Apollo's planner must still
// see it, and `null` cached when the text can never run (Apollo Server answers its errors).
import { getOperationAST, getVariableValues, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { plannerFixture } from '../../../test/support/planner-fixture.js';
import { queryProtection } from '../../graphql/limits.js';
import { HandoffExecutor } from '../handoff-executor.js';
import { coerceVariables, operationKey } from '../prepared.js';

const fx = plannerFixture();
const protection = queryProtection({ maxDepth: 12, maxAliases: 15, maxTokens: 2000, maxDirectives: 10, maxCost: 50_000 }, { hideSuggestions: true });

function executor(withValidation = true) {
  const plans: string[] = [];
  const e = new HandoffExecutor({
    dataSources: new Map(),
    onPlan: (planner, reason) => plans.push(reason ? `${planner}: ${reason}` : planner),
    validation: withValidation ? { parseOptions: protection.parseOptions, validationRules: protection.validationRules } : undefined,
  });
  e.useSupergraph(fx.schema, fx.supergraphSdl);
  return { e, plans };
}

describe('HandoffExecutor.lookupOrPlan', () => {
  it('plans a new valid text once, then finds it prepared', () => {
    const { e, plans } = executor();
    const text = 'query Q($id: ID!) { checkoutSession(id: $id) { id status merchant { name } } }';
    const first = e.lookupOrPlan(text, 'Q');
    expect(first?.plan?.kind).toBe('Sequence');
    expect(e.lookupOrPlan(text, 'Q')).toBe(first);
    expect(plans).toEqual(['handoff']);
  });

  it('serves a text that differs only in ignored characters (comments, whitespace, commas) from the same entry, without planning again', () => {
    const { e, plans } = executor();
    const text = 'query Q($id: ID!) { checkoutSession(id: $id) { id status merchant { name } } }';
    const first = e.lookupOrPlan(text, 'Q');
    const commented = `# request 42\nquery Q($id: ID!) {\n  checkoutSession(id: $id) { id, status  merchant { name } } # why\n}`;
    expect(e.lookupOrPlan(commented, 'Q')).toBe(first);
    expect(e.cache.get(operationKey(commented, 'Q'))).toBe(first);
    // Another operation name, another field or an alias is another operation.
    expect(e.lookupOrPlan(commented.replace('{ name }', '{ id name }'), 'Q')).not.toBe(first);
    expect(e.lookupOrPlan(commented.replace('status', 's: status'), 'Q')).not.toBe(first);
    expect(plans).toEqual(['handoff', 'handoff', 'handoff']);
    // A text that can never run is remembered the same way: its comment-only variant is refused without validating again.
    const invalid = '{ merchant(id: "1") { nope } }';
    expect(e.lookupOrPlan(invalid, undefined)).toBeUndefined();
    expect(e.lookupOrPlan(`# again\n${invalid}`, undefined)).toBeUndefined();
    expect(e.cache.get(operationKey(`# again\n${invalid}`, undefined))).toBeNull();
  });

  it('caches null for a text that does not parse, does not validate, or breaks a query limit', () => {
    const { e, plans } = executor();
    for (const text of ['{ merchant(id: "1") { name ', '{ merchant(id: "1") { nope } }', `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`]) {
      expect(e.lookupOrPlan(text, undefined), text).toBeUndefined();
      expect(e.cache.get(operationKey(text, undefined)), text).toBeNull();
    }
    expect(plans).toEqual([]);
  });

  it('caches nothing for what Apollo must still see: NUL or \\u in the text, no operation by that name, what the planner leaves alone', () => {
    const { e, plans } = executor();
    const texts: [string, string | undefined][] = [
      ['{ merchant(id: "a\\u0000b") { name } }', undefined],
      ['{ merchant(id: "a\u0000b") { name } }', undefined],
      ['query A { viewer { role } }', 'B'],
      ['{ __schema { types { name } } }', undefined],
    ];
    for (const [text, name] of texts) {
      expect(e.lookupOrPlan(text, name), text).toBeUndefined();
      expect(e.cache.get(operationKey(text, name)), text).toBeUndefined();
    }
    expect(plans).toEqual(['apollo: introspection']);
  });

  it('reports a new document’s variable errors with the locations graphql-js gives, though the prepared operation no longer holds the document’s tokens', () => {
    const { e } = executor();
    const text = 'query Q(\n  $id: ID!,\n    $b: Boolean = true) {\n checkoutSession(id: $id) { id ...F } }\nfragment F on CheckoutSession { status @include(if: $b) }';
    const prepared = e.lookupOrPlan(text, 'Q');
    expect(prepared).toBeDefined();
    // The kept variable definitions link to no other token of the document.
    const loc = prepared!.variableDefinitions[0]!.loc!;
    expect([loc.startToken.prev, loc.startToken.next, loc.endToken.prev, loc.endToken.next]).toEqual([null, null, null, null]);
    const operation = getOperationAST(parse(text), 'Q')!;
    for (const variables of [{}, { id: 5.5 }, { id: '1', b: 'x' }, { id: null, b: 2 ** 40 }]) {
      const ours = coerceVariables(prepared!, variables);
      const theirs = getVariableValues(fx.schema, operation.variableDefinitions ?? [], variables, { maxErrors: 10 });
      const shape = (errors: readonly { message: string; locations?: unknown }[] | undefined) => errors?.map((x) => ({ message: x.message, locations: x.locations }));
      expect(ours.errors?.length, JSON.stringify(variables)).toBeGreaterThan(0);
      expect(shape(ours.errors), JSON.stringify(variables)).toEqual(shape(theirs.errors));
    }
    expect(coerceVariables(prepared!, { id: '1' }).coerced).toEqual({ id: '1', b: true });
  });

  it('without Apollo Server’s validation settings, plans nothing itself', () => {
    const { e, plans } = executor(false);
    expect(e.lookupOrPlan('{ viewer { role } }', undefined)).toBeUndefined();
    expect(plans).toEqual([]);
  });
});
