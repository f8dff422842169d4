// What Handoff's query planner needs to know about the supergraph, read once from its SDL: the
// subgraphs (join__Graph), which subgraphs define each type and with which keys (join__type), and
// which subgraphs resolve each field (join__field). Anything the planner does not handle is
// recorded as such (a field with @requires, @provides, @override or a type mismatch; a
// key that is not a list of plain fields; an interface object), so that planning an operation that
// touches it throws Unsupported and @apollo/gateway plans it instead. A supergraph this reader does
// not understand at all (another join version, renamed specs, execution features) yields an index
// that refuses everything.
import { Kind, parse, type ConstDirectiveNode, type ConstValueNode, type DefinitionNode } from 'graphql';

/** The join spec versions whose semantics this reader implements (Federation 2 supergraphs). */
const JOIN_VERSIONS = /^https:\/\/specs\.apollo\.dev\/join\/v0\.[345]$/;
/** Other specs a supergraph may link without changing how operations are planned. */
const HARMLESS_SPECS = /^https:\/\/specs\.apollo\.dev\/(link\/v1\.0|inaccessible\/v0\.[12]|tag\/v0\.[1-3])$/;
const PLAIN_KEY = /^\s*[_A-Za-z][_0-9A-Za-z]*(\s+[_A-Za-z][_0-9A-Za-z]*)*\s*$/;

export interface EntityKey {
  /** The key's fields, each a plain field of the type (no nested selections). */
  fields: string[];
  resolvable: boolean;
}

export interface TypeInfo {
  /** Subgraphs that define the type (one @join__type each). */
  graphs: Set<string>;
  /** The keys declared by each subgraph; a key that is not plain is recorded as `null`. */
  keys: Map<string, (EntityKey | null)[]>;
  fields: Map<string, FieldInfo>;
  /** Why the type is left to @apollo/gateway, if it is. */
  unsupported?: string;
}

export interface FieldInfo {
  /** The subgraphs that resolve the field. */
  graphs: string[];
  unsupported?: string;
}

export class SupergraphIndex {
  /** Why this supergraph cannot be planned by Handoff at all, if it cannot. */
  readonly unsupported: string | undefined;
  readonly types = new Map<string, TypeInfo>();

  constructor(supergraphSdl: string) {
    let reason: string | undefined;
    try {
      reason = this.read(supergraphSdl);
    } catch (err) {
      reason = `unreadable supergraph: ${(err as Error).message}`;
    }
    this.unsupported = reason;
    if (reason) this.types.clear();
  }

  /** The subgraphs that resolve `type.field` (empty if unknown). */
  field(type: string, field: string): FieldInfo | undefined {
    return this.types.get(type)?.fields.get(field);
  }

  private read(sdl: string): string | undefined {
    const document = parse(sdl, { noLocation: true });
    const schemaDef = document.definitions.find((d) => d.kind === Kind.SCHEMA_DEFINITION);
    if (!schemaDef || schemaDef.kind !== Kind.SCHEMA_DEFINITION) return 'no schema definition';
    let join = false;
    for (const link of schemaDef.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = stringArg(link, 'url');
      if (argument(link, 'as') !== undefined) return `@link with "as" (${url})`;
      if (url && JOIN_VERSIONS.test(url)) join = true;
      else if (!url || !HARMLESS_SPECS.test(url)) return `linked spec ${url}`;
    }
    if (!join) return 'not a Federation 2 supergraph (join v0.3-v0.5)';

    const graphs = new Map<string, string>();
    for (const def of document.definitions) {
      if (def.kind !== Kind.ENUM_TYPE_DEFINITION || def.name.value !== 'join__Graph') continue;
      for (const value of def.values ?? []) {
        const name = value.directives?.find((d) => d.name.value === 'join__graph');
        const graphName = name && stringArg(name, 'name');
        if (!graphName) return `join__Graph.${value.name.value} has no name`;
        graphs.set(value.name.value, graphName);
      }
    }
    if (graphs.size === 0) return 'no subgraphs';

    for (const def of document.definitions) this.readType(def, graphs);
    return undefined;
  }

  private readType(def: DefinitionNode, graphs: ReadonlyMap<string, string>): void {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION) return;
    const info: TypeInfo = { graphs: new Set(), keys: new Map(), fields: new Map() };
    if (def.kind === Kind.INTERFACE_TYPE_DEFINITION) info.unsupported = 'interface';
    for (const directive of def.directives ?? []) {
      if (directive.name.value === 'join__type') {
        const graph = graphs.get(enumArg(directive, 'graph') ?? '');
        if (!graph) {
          info.unsupported = 'join__type without a known graph';
          continue;
        }
        info.graphs.add(graph);
        if (booleanArg(directive, 'isInterfaceObject') === true) info.unsupported = 'interface object';
        const key = stringArg(directive, 'key');
        if (key !== undefined) {
          const keys = info.keys.get(graph) ?? [];
          keys.push(PLAIN_KEY.test(key) ? { fields: key.trim().split(/\s+/), resolvable: booleanArg(directive, 'resolvable') !== false } : null);
          info.keys.set(graph, keys);
        }
      } else if (directive.name.value.startsWith('join__') && directive.name.value !== 'join__implements') {
        info.unsupported = `@${directive.name.value}`;
      }
    }
    if (info.graphs.size === 0) return;
    for (const field of def.fields ?? []) {
      const joins = (field.directives ?? []).filter((d) => d.name.value === 'join__field');
      const other = (field.directives ?? []).find((d) => d.name.value.startsWith('join__') && d.name.value !== 'join__field');
      const fieldInfo: FieldInfo = { graphs: [] };
      if (other) fieldInfo.unsupported = `@${other.name.value}`;
      if (joins.length === 0) {
        fieldInfo.graphs = [...info.graphs];
      } else {
        for (const join of joins) {
          const graph = graphs.get(enumArg(join, 'graph') ?? '');
          // An @external field is not resolved by that subgraph (it could be under a @provides,
          // but a field with @provides is itself refused).
          const external = booleanArg(join, 'external') === true;
          const extra = (join.arguments ?? []).find((a) => a.name.value !== 'graph' && a.name.value !== 'external');
          if (!graph) fieldInfo.unsupported = '@join__field without a graph';
          else if (extra) fieldInfo.unsupported = `@join__field(${extra.name.value}:)`;
          else if (!external) fieldInfo.graphs.push(graph);
        }
      }
      info.fields.set(field.name.value, fieldInfo);
    }
    this.types.set(def.name.value, info);
  }
}

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((a) => a.name.value === name)?.value;
}

function stringArg(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = argument(directive, name);
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function enumArg(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = argument(directive, name);
  return value?.kind === Kind.ENUM ? value.value : undefined;
}

function booleanArg(directive: ConstDirectiveNode, name: string): boolean | undefined {
  const value = argument(directive, name);
  return value?.kind === Kind.BOOLEAN ? value.value : undefined;
}
