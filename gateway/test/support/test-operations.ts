// The operations the end-to-end tests send (test/operations/*.graphql, which codegen turns into
// test/generated/graphql.ts), each as the document a client sends: the operation and the
// fragments it uses, transitively (fragments are shared across the files). Plus variable values
// for any operation, made from the variables' types (every required one; optional ones too when
// asked), so that an operation can be run without knowing what it is about.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Kind,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  parse,
  print,
  typeFromAST,
  visit,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type OperationTypeNode,
} from 'graphql';

export const TEST_OPERATIONS_DIR = fileURLToPath(new URL('../../../test/operations/', import.meta.url));
export const HANDOFF_SUPERGRAPH_FILE = fileURLToPath(new URL('../../supergraph.graphql', import.meta.url));

export interface TestOperation {
  name: string;
  kind: OperationTypeNode;
  /** The file it is in (test/operations/<file>). */
  file: string;
  /** The document a client sends: the operation and the fragments it uses. */
  text: string;
  operation: OperationDefinitionNode;
}

export function testOperations(dir = TEST_OPERATIONS_DIR): TestOperation[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort();
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: Array<{ file: string; operation: OperationDefinitionNode }> = [];
  for (const file of files) {
    for (const definition of parse(readFileSync(`${dir}/${file}`, 'utf8')).definitions as readonly DefinitionNode[]) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      else if (definition.kind === Kind.OPERATION_DEFINITION) operations.push({ file, operation: definition });
      else throw new Error(`${file}: unexpected ${definition.kind}`);
    }
  }
  return operations.map(({ file, operation }) => {
    if (!operation.name) throw new Error(`${file}: an anonymous operation`);
    const used: FragmentDefinitionNode[] = [];
    const seen = new Set<string>();
    const collect = (node: OperationDefinitionNode | FragmentDefinitionNode): void => {
      visit(node, {
        FragmentSpread(spread) {
          const name = spread.name.value;
          if (seen.has(name)) return;
          const fragment = fragments.get(name);
          if (!fragment) throw new Error(`${file}: fragment ${name} is defined nowhere`);
          seen.add(name);
          used.push(fragment);
          collect(fragment);
        },
      });
    };
    collect(operation);
    const text = [operation, ...used].map((d) => print(d)).join('\n\n');
    return { name: operation.name.value, kind: operation.operation, file, text, operation };
  });
}

/** Values for an operation's variables: every required one, and every optional one if `all`. */
export function fakeVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, all: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
    if (!type) throw new Error(`unknown type of $${definition.variable.name.value}`);
    if (!all && !isNonNullType(type)) continue;
    if (!all && definition.defaultValue) continue;
    out[definition.variable.name.value] = fakeInput(type, definition.variable.name.value, all);
  }
  return out;
}

function fakeInput(type: GraphQLInputType, seed: string, all: boolean): unknown {
  if (isNonNullType(type)) return fakeInput(type.ofType, seed, all);
  if (isListType(type)) return [fakeInput(type.ofType, `${seed}[0]`, all)];
  const named = getNamedType(type);
  if (isInputObjectType(named)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(named.getFields())) {
      const required = isNonNullType(field.type) && field.defaultValue === undefined;
      if (required || all) value[field.name] = fakeInput(field.type, `${seed}.${field.name}`, all);
    }
    return value;
  }
  if (isEnumType(named)) return named.getValues()[0]!.name;
  switch (named.name) {
    case 'Int':
      return 2;
    case 'Float':
      return 1.5;
    case 'Boolean':
      return true;
    // Handoff's custom scalars (graphql-scalars), with values their subgraphs accept.
    case 'SafeInt':
      return 2;
    case 'DateTime':
      return '2030-01-02T03:04:05.000Z';
    case 'JSON':
    case 'JSONObject':
      return { note: seed };
    default:
      // ID, String and any other scalar.
      return `${seed}_1`;
  }
}
