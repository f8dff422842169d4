// Validation of a new text on the gateway's plan-cache miss: graphql-js's own `validate`, with the
// same rules, the same ValidationContext, TypeInfo, error limit and error order, but the rules'
// visitors dispatched by one merged visitor that looks up, per node kind, only the visitors that
// handle it, the first time the document has that kind.
//
// Why: graphql-js's `visitInParallel` (16.x) builds an enter and a leave list for every one of the
// ~45 AST kinds over every rule's visitor (31 with the query limits: ~1,400 lookups, each
// allocating an object, then ~90 arrays) for every validation, whatever the document holds; for
// the bench's Q1 that was more than the rules' own work (profile: `getEnterLeaveForKind` the
// largest self time of a miss, the garbage collector next). Here the work follows the document's
// kinds (a dozen for a typical operation).
//
// The semantics are visitInParallel's: visitors run in the rules' order; a visitor returning false
// skips the node's subtree for that visitor only (until the node is left), BREAK stops that
// visitor, and any other value is returned as an edit.
import {
  BREAK,
  GraphQLError,
  Kind,
  KnownTypeNamesRule,
  TypeInfo,
  ValidationContext,
  assertValidSchema,
  visit,
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { QueryDocumentKeys } from 'graphql/language/ast.js';
import { validationAbortedError } from 'graphql/validation/validationAbortedError.js';

type VisitFn = (this: unknown, ...args: unknown[]) => unknown;

/** For one kind: the indexes of the visitors with an enter or leave for it, and those functions. */
interface KindHandlers {
  readonly index: number[];
  readonly enter: (VisitFn | undefined)[];
  readonly leave: (VisitFn | undefined)[];
}

function handlersOf(visitor: ASTVisitor, kind: string): { enter?: VisitFn; leave?: VisitFn } {
  const v = visitor as Record<string, unknown>;
  const kindVisitor = v[kind];
  if (typeof kindVisitor === 'object' && kindVisitor !== null) return kindVisitor as { enter?: VisitFn; leave?: VisitFn };
  if (typeof kindVisitor === 'function') return { enter: kindVisitor as VisitFn };
  return { enter: v.enter as VisitFn | undefined, leave: v.leave as VisitFn | undefined };
}

/**
 * One visitor running `visitors` in parallel, as graphql-js's visitInParallel does, with its
 * per-kind lists made only for the kinds it meets. It has only a generic enter and leave.
 */
export function visitInParallelLazily(visitors: readonly ASTVisitor[]): ASTVisitor {
  const skipping: unknown[] = new Array(visitors.length).fill(null);
  const byKind = new Map<string, KindHandlers | null>();
  // Which visitors can handle a kind: a plain object's own property names say it (a key named
  // after the kind, or a generic enter/leave); any other object (a class instance, whose
  // prototype could hold a kind's method) is asked about every kind.
  const generic: number[] = [];
  const specific = new Map<string, number[]>();
  for (let i = 0; i < visitors.length; i++) {
    const visitor = visitors[i]!;
    const proto = Object.getPrototypeOf(visitor) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      generic.push(i);
      continue;
    }
    let anyKind = false;
    for (const key of Object.getOwnPropertyNames(visitor)) {
      if (key === 'enter' || key === 'leave') anyKind = true;
      else {
        const list = specific.get(key);
        if (list) list.push(i);
        else specific.set(key, [i]);
      }
    }
    if (anyKind) generic.push(i);
  }
  const handlers = (kind: string): KindHandlers | null => {
    let h = byKind.get(kind);
    if (h !== undefined) return h;
    const index: number[] = [];
    const enter: (VisitFn | undefined)[] = [];
    const leave: (VisitFn | undefined)[] = [];
    const own = specific.get(kind) ?? [];
    // The candidates in the visitors' order: both lists ascend.
    for (let a = 0, b = 0; a < own.length || b < generic.length; ) {
      let i: number;
      if (b >= generic.length || (a < own.length && own[a]! < generic[b]!)) i = own[a++]!;
      else if (a >= own.length || generic[b]! < own[a]!) i = generic[b++]!;
      else {
        i = own[a++]!;
        b++;
      }
      const { enter: e, leave: l } = handlersOf(visitors[i]!, kind);
      if (e == null && l == null) continue;
      index.push(i);
      enter.push(e ?? undefined);
      leave.push(l ?? undefined);
    }
    h = index.length > 0 ? { index, enter, leave } : null;
    byKind.set(kind, h);
    return h;
  };
  // visit() calls a visitor with exactly these five arguments; naming them (no rest array) saves
  // two allocations per node and step.
  return {
    enter(node: ASTNode, key: unknown, parent: unknown, path: unknown, ancestors: unknown) {
      const h = handlers(node.kind);
      if (!h) return undefined;
      for (let j = 0; j < h.index.length; j++) {
        const i = h.index[j]!;
        if (skipping[i] !== null) continue;
        const fn = h.enter[j];
        if (!fn) continue;
        const result = fn.call(visitors[i], node, key, parent, path, ancestors);
        if (result === false) skipping[i] = node;
        else if (result === BREAK) skipping[i] = BREAK;
        else if (result !== undefined) return result;
      }
      return undefined;
    },
    leave(node: ASTNode, key: unknown, parent: unknown, path: unknown, ancestors: unknown) {
      const h = handlers(node.kind);
      if (!h) return undefined;
      for (let j = 0; j < h.index.length; j++) {
        const i = h.index[j]!;
        if (skipping[i] === null) {
          const fn = h.leave[j];
          if (!fn) continue;
          const result = fn.call(visitors[i], node, key, parent, path, ancestors);
          if (result === BREAK) skipping[i] = BREAK;
          else if (result !== undefined && result !== false) return result;
        } else if (skipping[i] === node) {
          skipping[i] = null;
        }
      }
      return undefined;
    },
  } as ASTVisitor;
}

/**
 * graphql-js's KnownTypeNamesRule, made only when a document names a type the schema lacks. The
 * rule itself lists every type name of the schema when it is made (~420 here, for its "did you
 * mean" suggestions), on every validation; for a type the schema has it reports nothing, which is
 * all this checks before handing the node to it. So the errors are the rule's own, in its place.
 */
export function knownTypeNamesWhenNeeded(context: ValidationContext): ASTVisitor {
  const typeMap = context.getSchema().getTypeMap();
  let rule: ASTVisitor | undefined;
  return {
    NamedType(node, key, parent, path, ancestors) {
      if (typeMap[node.name.value]) return undefined;
      rule ??= KnownTypeNamesRule(context);
      return ((rule as Record<string, VisitFn>).NamedType as VisitFn).call(rule, node, key, parent, path, ancestors);
    },
  } as ASTVisitor;
}

/**
 * The rules as one rule: each rule's visitor made for the context, run by visitInParallelLazily
 * (graphql-js's KnownTypeNamesRule made through knownTypeNamesWhenNeeded, in its place).
 */
export function mergeRules(rules: readonly ValidationRule[]): ValidationRule {
  const made = rules.map((rule) => (rule === KnownTypeNamesRule ? knownTypeNamesWhenNeeded : rule));
  return (context: ValidationContext) => visitInParallelLazily(made.map((rule) => rule(context)));
}

// graphql-js 16's validate visits these keys: every AST key but `description`, which the
// specification says must not affect validation.
const KEYS_TO_VALIDATE: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(QueryDocumentKeys as Record<string, readonly string[]>).map(([kind, keys]) => [kind, keys.filter((key) => key !== 'description')]),
);
const ERROR_LIMIT = 100;

/**
 * graphql-js `validate(schema, document, rules)` (16.x, no options: 100 errors at most, suggestions
 * as the rules make them) with the rules merged as above, and its body written out here: the same
 * ValidationContext, TypeInfo, error limit and abort, but without graphql-js's `visitInParallel`
 * set-up over one visitor (~45 kind lookups per validation) and with `visitWithTypeInfo`'s
 * per-node kind lookup (an object allocated per node and step) replaced by a direct call of the
 * merged visitor's generic enter and leave, which is what that lookup returns for it.
 */
export function validateOnce(schema: GraphQLSchema, document: DocumentNode, merged: ValidationRule): readonly GraphQLError[] {
  assertValidSchema(schema);
  const abort = Object.freeze({});
  const errors: GraphQLError[] = [];
  const typeInfo = new TypeInfo(schema);
  const context = new ValidationContext(schema, document, typeInfo, (error) => {
    if (errors.length >= ERROR_LIMIT) {
      errors.push(new GraphQLError('Too many validation errors, error limit reached. Validation aborted.'));
      throw abort;
    }
    errors.push(error);
  });
  const visitor = merged(context) as { enter?: VisitFn; leave?: VisitFn };
  const enter = visitor.enter;
  const leave = visitor.leave;
  if (typeof enter !== 'function' || typeof leave !== 'function') throw new TypeError('validateOnce needs a rule made by mergeRules');
  const usages = usagesCache(context);
  // The variable usages of the executable definition being walked (see usagesCache); undefined
  // outside one, or once a visitor has edited the walk (then graphql-js makes its own).
  let current: { node: ASTNode; usages: VariableUsage[] } | undefined;
  let edited = false;
  try {
    visit(
      document,
      {
        enter(node: ASTNode, key: unknown, parent: unknown, path: unknown, ancestors: unknown) {
          typeInfo.enter(node);
          if (usages) {
            if (node.kind === Kind.OPERATION_DEFINITION || node.kind === Kind.FRAGMENT_DEFINITION) current = { node, usages: [] };
            else if (node.kind === Kind.VARIABLE && current && (parent as ASTNode | undefined)?.kind !== Kind.VARIABLE_DEFINITION) {
              current.usages.push({ node, type: typeInfo.getInputType(), defaultValue: typeInfo.getDefaultValue(), parentType: typeInfo.getParentInputType() });
            }
          }
          const result = enter.call(visitor, node, key, parent, path, ancestors);
          if (result !== undefined) {
            edited = true;
            typeInfo.leave(node);
            if (isNode(result)) typeInfo.enter(result);
          }
          return result;
        },
        leave(node: ASTNode, key: unknown, parent: unknown, path: unknown, ancestors: unknown) {
          if (current?.node === node) {
            // Before the rules' leave: NoUndefinedVariables and NoUnusedVariables ask for the
            // operation's usages there.
            if (!edited && !usages!.has(node)) usages!.set(node, current.usages);
            current = undefined;
          }
          const result = leave.call(visitor, node, key, parent, path, ancestors);
          if (result !== undefined) edited = true;
          typeInfo.leave(node);
          return result;
        },
      } as ASTVisitor,
      KEYS_TO_VALIDATE as never,
    );
  } catch (e) {
    if (e === validationAbortedError) errors.push(validationAbortedError);
    else if (e !== abort) throw e;
  }
  return errors;
}

const KINDS = new Set(Object.keys(QueryDocumentKeys));

/** What graphql-js's ValidationContext.getVariableUsages returns for one node, per variable. */
interface VariableUsage {
  node: ASTNode;
  type: unknown;
  defaultValue: unknown;
  parentType: unknown;
}

/**
 * graphql-js's ValidationContext (16.15, pinned in gateway/package.json) caches each operation's
 * and fragment's variable usages in `_variableUsages`, and makes them, when a rule first asks
 * (NoUndefinedVariables, NoUnusedVariables, VariablesInAllowedPosition: at an operation's leave),
 * with a second walk of that definition with a TypeInfo of its own (~20 % of a validation). The
 * walk here already has a TypeInfo in the same state at each of those nodes (it starts empty at
 * every definition), so it fills that cache as it leaves each definition, before the rules' leave:
 * the same usages (node, input type, default value, parent input type), in the same order, the
 * same variable definitions skipped. A fragment defined after the operation is not walked yet
 * when the operation is left; graphql-js makes its usages itself, as before. Undefined (nothing
 * filled) if the context has no such cache (another graphql-js).
 */
function usagesCache(context: ValidationContext): Map<ASTNode, VariableUsage[]> | undefined {
  const cache = (context as unknown as { _variableUsages?: unknown })._variableUsages;
  return cache instanceof Map ? (cache as Map<ASTNode, VariableUsage[]>) : undefined;
}

/** graphql-js's isNode (language/ast.js). */
function isNode(value: unknown): value is ASTNode {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && KINDS.has(kind);
}
