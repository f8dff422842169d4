// The subgraph operation text of a fetch group, printed compactly (what graphql's
// `stripIgnoredCharacters(print(...))` gives, which is how @apollo/query-planner prints it), with
// the client's variable definitions each fetch uses and nothing else. Printing straight from the
// selection levels avoids building and re-lexing a document for every fetch of a plan miss.
import { Kind, print, type ArgumentNode, type DirectiveNode, type OperationTypeNode, type TypeNode, type ValueNode, type VariableDefinitionNode } from 'graphql';
import { flatString } from '../flat-string.js';
import { Unsupported } from '../selection.js';
import type { FetchGroup, OutSelection, SelectionLevel } from './fetch-group.js';

export interface PrintedFetch {
  operation: string;
  /** The client variables the fetch forwards, in the order the client defined them. */
  variableUsages: string[];
}

export function printFetch(
  group: FetchGroup,
  kind: OperationTypeNode,
  operationName: string | undefined,
  variableDefinitions: readonly VariableDefinitionNode[],
): PrintedFetch {
  const used = new Set<string>();
  let body = printLevel(group.selections, used);
  const definitions = variableDefinitions.filter((d) => used.has(d.variable.name.value));
  if (used.size !== definitions.length) throw new Unsupported('a variable the operation does not define');
  if (group.entity && used.has('representations')) throw new Unsupported('a client variable named $representations in an entity fetch');
  let variables = definitions.map(printVariableDefinition).join('');
  if (group.entity) {
    body = `{_entities(representations:$representations){...on ${group.entity.type}${body}}}`;
    variables = `$representations:[_Any!]!${variables}`;
  }
  const header = variables ? `(${variables})` : '';
  const keyword = group.entity ? 'query' : kind;
  const operation = operationName
    ? `${keyword} ${operationName}${header}${body}`
    : header || keyword !== 'query'
      ? `${keyword}${header}${body}`
      : body;
  // Kept in the plan for as long as it is cached: flat, not the rope `+=` built.
  return { operation: flatString(operation), variableUsages: definitions.map((d) => d.variable.name.value) };
}

/** Whether a character code can be part of a name (so two of them need a space between). */
function isNameChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
}

function printLevel(level: SelectionLevel, used: Set<string>): string {
  let out = '{';
  for (const item of level.items) {
    const text = printSelection(item, used);
    if (isNameChar(out.charCodeAt(out.length - 1)) && isNameChar(text.charCodeAt(0))) out += ' ';
    out += text;
  }
  return `${out}}`;
}

function printSelection(item: OutSelection, used: Set<string>): string {
  if (item.kind === 'fragment') return `...${printDirectives(item.directives, used)}${printLevel(item.selections, used)}`;
  const { node, selections } = item;
  let out = node.alias ? `${node.alias.value}:${node.name.value}` : node.name.value;
  if (node.arguments?.length) out += `(${node.arguments.map((a) => printArgument(a, used)).join(' ')})`;
  if (node.directives?.length) out += printDirectives(node.directives, used);
  if (selections) out += printLevel(selections, used);
  return out;
}

function printDirectives(directives: readonly DirectiveNode[], used: Set<string>): string {
  return directives
    .map((d) => (d.arguments?.length ? `@${d.name.value}(${d.arguments.map((a) => printArgument(a, used)).join(' ')})` : `@${d.name.value}`))
    .join('');
}

function printArgument(arg: ArgumentNode, used: Set<string>): string {
  return `${arg.name.value}:${printValue(arg.value, used)}`;
}

function printValue(value: ValueNode, used: Set<string>): string {
  switch (value.kind) {
    case Kind.VARIABLE:
      used.add(value.name.value);
      return `$${value.name.value}`;
    case Kind.LIST:
      return `[${value.values.map((v) => printValue(v, used)).join(' ')}]`;
    case Kind.OBJECT:
      return `{${value.fields.map((f) => `${f.name.value}:${printValue(f.value, used)}`).join(' ')}}`;
    case Kind.INT:
    case Kind.FLOAT:
    case Kind.ENUM:
      return value.value;
    case Kind.BOOLEAN:
      return value.value ? 'true' : 'false';
    case Kind.NULL:
      return 'null';
    default:
      // Strings: escapes (and block strings) exactly as graphql prints them.
      return print(value);
  }
}

function printVariableDefinition(def: VariableDefinitionNode): string {
  if (def.directives?.length) throw new Unsupported('directives on a variable definition');
  const value = def.defaultValue ? `=${printValue(def.defaultValue, new Set())}` : '';
  return `$${def.variable.name.value}:${printType(def.type)}${value}`;
}

function printType(type: TypeNode): string {
  if (type.kind === Kind.NON_NULL_TYPE) return `${printType(type.type)}!`;
  if (type.kind === Kind.LIST_TYPE) return `[${printType(type.type)}]`;
  return type.name.value;
}
