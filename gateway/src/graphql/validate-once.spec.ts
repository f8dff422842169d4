// validateOnce reports exactly what graphql-js's validate reports with the same rules (graphql-js's
// specified rules and the gateway's query limits): the same messages, locations, error classes and
// order, for valid documents, each kind of invalid one, skipped subtrees and the error limit.
import { readFileSync } from 'node:fs';
import { BREAK, buildSchema, parse, specifiedRules, validate, visitInParallel, type ASTVisitor, type GraphQLError, type ValidationRule } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryProtection } from './limits.js';
import { mergeRules, validateOnce, visitInParallelLazily } from './validate-once.js';

const apiSchema = buildSchema(readFileSync(new URL('../../api-schema.graphql', import.meta.url), 'utf8'));
const toy = buildSchema(`type Query { node(id: ID!): Node  nodes(first: Int): [Node!]!  name: String }
  type Node { id: ID!  child: Node  children(first: Int): [Node!]!  name(upper: Boolean): String }
  type Mutation { rename(id: ID!, name: String!): Node }`);

const shape = (errors: readonly GraphQLError[]) =>
  errors.map((e) => ({ message: e.message, locations: e.locations, cls: e.constructor.name, extensions: e.extensions }));

const tight = queryProtection({ maxDepth: 4, maxAliases: 2, maxTokens: 2000, maxDirectives: 2, maxCost: 60 }, { hideSuggestions: false });
const production = queryProtection({ maxDepth: 12, maxAliases: 15, maxTokens: 2000, maxDirectives: 10, maxCost: 50_000 }, { hideSuggestions: true });

const toyDocs = [
  '{ name }',
  '{ node(id: "1") { id name child { id } } }',
  '{ nope }',
  '{ node { id } }',
  '{ node(id: 1, extra: 2) { id id: name } }',
  'query A($x: Int) { nodes(first: $y) { id } } query A { name }',
  '{ name } { name }',
  'query { ...F ...G } fragment F on Query { name } fragment F on Query { name } fragment U on Node { id }',
  'fragment A on Query { ...B } fragment B on Query { ...A } { ...A }',
  '{ node(id: "1") { child } name { id } }',
  '{ node(id: "1") { ... on Mutation { rename } ... on Node @skip(if: true) @skip(if: false) { id } } }',
  'query Q($n: String) { nodes(first: $n) { name(upper: "x") } }',
  '{ a: name b: name c: name d: name }',
  '{ node(id: "1") { child { child { child { child { child { id } } } } } } }',
  '{ nodes(first: 100) { children(first: 100) { children(first: 100) { id } } } }',
  '{ name @include(if: true) @include(if: true) @skip(if: false) }',
  'mutation { rename(id: "1") { id } }',
  '{ node(id: "1") { name: id } node(id: "2") { name } }',
  'subscription { name name }',
  'query ($v: [String!]) { name }',
  '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }',
  'type T { a: Int } { name }',
  // Unknown type names (KnownTypeNamesRule, made only when one appears), with suggestions.
  'query ($v: Nod, $w: [Strin!]) { name }',
  '{ ... on Nope { name } node(id: "1") { ... on Nodes { id } } }',
  'fragment X on Querry { name } { ...X }',
  'type T { a: Foo  b: String } { name }',
  // Variable usages (filled in by the walk for definitions already left, made by graphql-js for
  // fragments defined after the operation): undefined, unused, in the wrong position, in
  // fragments before and after the operation, in directives, lists and nested fragments.
  'fragment Before on Query { node(id: $id) { ...Deep } } query V($id: ID!, $unused: Int, $f: Int = 2, $b: Boolean) @skip(if: $b) { ...Before ...After nodes(first: $f) { name(upper: $b) } } fragment After on Query { nodes(first: $g) { name(upper: $id) } } fragment Deep on Node { children(first: $f) { name @include(if: $b) } }',
  'query A($x: Int) { nodes(first: $x) { id } } query B($x: String) { ...N } fragment N on Query { nodes(first: $x) { id } }',
  'query ($a: [Int!], $n: Int!) { nodes(first: $a) { children(first: $n) { id } } node(id: $n) { id } }',
  'query ($b: Boolean = true) { name @include(if: $b) @skip(if: $c) }',
];

describe('validateOnce', () => {
  for (const [label, protection] of [
    ['tight limits, suggestions shown', tight],
    ['production limits, suggestions hidden', production],
  ] as const) {
    const rules: ValidationRule[] = [...specifiedRules, ...protection.validationRules];
    const merged = mergeRules(rules);
    it(`reports what graphql-js's validate reports (${label})`, () => {
      let invalid = 0;
      for (const text of toyDocs) {
        const document = parse(text);
        const expected = shape(validate(toy, document, rules));
        expect(shape(validateOnce(toy, document, merged)), text).toEqual(expected);
        if (expected.length > 0) invalid++;
      }
      expect(invalid).toBeGreaterThan(15);
    });
  }

  it('agrees on the API schema, valid and invalid operations', () => {
    const rules = [...specifiedRules, ...production.validationRules];
    const merged = mergeRules(rules);
    for (const text of [
      'query Q1($id: ID!) { checkoutSession(id: $id) { id status merchant { id name } paymentIntent { id status } } }',
      'query Q1($id: ID!) { checkoutSession(id: $id) { id stauts merchant { nme } } }',
      'query ($id: ID!) { ...F } fragment F on Query { checkoutSession(id: $id) { id } } fragment G on Query { __typename }',
    ]) {
      const document = parse(text);
      expect(shape(validateOnce(apiSchema, document, merged)), text).toEqual(shape(validate(apiSchema, document, rules)));
    }
  });

  it('stops at the error limit as validate does', () => {
    const text = `{ ${Array.from({ length: 120 }, (_, i) => `f${i}`).join(' ')} }`;
    const rules = [...specifiedRules];
    const errors = validateOnce(toy, parse(text), mergeRules(rules));
    expect(errors).toHaveLength(101);
    expect(shape(errors)).toEqual(shape(validate(toy, parse(text), rules)));
  });

  it('skips a subtree for the visitor that returned false only, until it leaves that node; BREAK stops that visitor', () => {
    const document = parse('{ a { b } c { d } }');
    let log: string[] = [];
    const skipper: ASTVisitor = { Field: { enter: (n) => (log.push(`s:${n.name.value}`), n.name.value === 'a' ? false : undefined), leave: (n) => void log.push(`s/${n.name.value}`) } };
    const breaker: ASTVisitor = { Field: (n) => (log.push(`b:${n.name.value}`), n.name.value === 'b' ? BREAK : undefined) };
    const all: ASTVisitor = { enter: (n) => void (n.kind === 'Field' && log.push(`e:${n.name.value}`)) };
    // visitInParallelLazily's visitor, driven by graphql-js's visit through a one-rule validation.
    validate(toy, document, [() => visitInParallelLazily([skipper, breaker, all])]);
    expect(log).toEqual(['s:a', 'b:a', 'e:a', 'b:b', 'e:b', 's:c', 'e:c', 's:d', 'e:d', 's/d', 's/c']);
    const lazily = log;
    log = [];
    validate(toy, document, [() => visitInParallel([skipper, breaker, all])]);
    expect(log).toEqual(lazily);
  });

  it('asks a class instance about every kind (its prototype may hold one), a plain object by its own keys', () => {
    const document = parse('query Q { a { b } ...F } fragment F on Query { c }');
    let log: string[] = [];
    class ProtoVisitor {
      Field(n: { name: { value: string } }) {
        log.push(`p:${n.name.value}`);
      }
    }
    const mixed: ASTVisitor = { Field: (n) => void log.push(`m:${n.name.value}`), enter: (n) => void log.push(`m-${n.kind}`) };
    const kinds: ASTVisitor = { FragmentSpread: { leave: (n) => void log.push(`k/${n.name.value}`) }, OperationDefinition: () => void log.push('k:op') };
    const visitors = () => [new ProtoVisitor() as ASTVisitor, mixed, kinds];
    validate(toy, document, [() => visitInParallelLazily(visitors())]);
    const lazily = log;
    log = [];
    validate(toy, document, [() => visitInParallel(visitors())]);
    expect(lazily).toEqual(log);
    expect(lazily).toContain('p:b');
    expect(lazily).toContain('k/F');
    expect(lazily).toContain('m-FragmentDefinition');
  });
});
