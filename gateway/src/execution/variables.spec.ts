import { describe, expect, it } from 'vitest';
import { buildSchema, getVariableValues, parse, type OperationDefinitionNode } from 'graphql';
import { compileFastCoercer } from './variables.js';

const schema = buildSchema(`
  enum Color { RED }
  input In { a: Int }
  scalar Money
  type Query { f(id: ID, s: String, i: Int, x: Float, b: Boolean): Int }
`);

const definitions = (text: string) => (parse(`query Q${text} { f }`).definitions[0] as OperationDefinitionNode).variableDefinitions ?? [];

const VALUES: unknown[] = ['a', '', 0, -0, 7, -7, 2147483647, 2147483648, -2147483649, 1.5, Number.NaN, Infinity, true, false, null, [], {}, ['a']];

describe('fast variable coercion', () => {
  it('agrees with graphql-js whenever it answers, and defers to it on everything graphql-js refuses', () => {
    const shapes = ['ID', 'ID!', 'String', 'String!', 'Int', 'Int!', 'Float', 'Float!', 'Boolean', 'Boolean!', 'Int = 3', 'String! = "d"', 'ID = null'];
    let answered = 0;
    for (const shape of shapes) {
      const defs = definitions(`($v: ${shape})`);
      const fast = compileFastCoercer(schema, defs)!;
      expect(fast, shape).toBeDefined();
      for (const inputs of [{}, ...VALUES.map((v) => ({ v }))]) {
        const reference = getVariableValues(schema, defs, inputs);
        const mine = fast(inputs);
        if (reference.errors) expect(mine, `${shape} ${JSON.stringify(inputs)}`).toBeUndefined();
        else if (mine !== undefined) {
          answered++;
          expect(mine, `${shape} ${JSON.stringify(inputs)}`).toEqual(reference.coerced);
          expect(Object.keys(mine)).toEqual(Object.keys(reference.coerced));
        }
      }
    }
    expect(answered).toBeGreaterThan(40);
  });

  it('coerces several variables at once, omitting an absent nullable one as graphql-js does', () => {
    const defs = definitions('($id: ID!, $n: Int, $s: String = "x")');
    expect(compileFastCoercer(schema, defs)!({ id: 5 })).toEqual({ id: '5', s: 'x' });
    expect(compileFastCoercer(schema, defs)!({ id: 'a', n: null, s: null })).toEqual({ id: 'a', n: null, s: null });
  });

  it('leaves enums, input objects, lists and custom scalars to graphql-js', () => {
    for (const shape of ['Color', 'In', '[Int]', 'Money!']) expect(compileFastCoercer(schema, definitions(`($v: ${shape})`)), shape).toBeUndefined();
  });
});
