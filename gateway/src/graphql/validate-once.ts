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
import { BREAK, validate, type ASTVisitor, type ASTNode, type DocumentNode, type GraphQLError, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';

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
  return {
    enter(...args: unknown[]) {
      const node = args[0] as ASTNode;
      const h = handlers(node.kind);
      if (!h) return undefined;
      for (let j = 0; j < h.index.length; j++) {
        const i = h.index[j]!;
        if (skipping[i] !== null) continue;
        const fn = h.enter[j];
        if (!fn) continue;
        const result = fn.apply(visitors[i], args);
        if (result === false) skipping[i] = node;
        else if (result === BREAK) skipping[i] = BREAK;
        else if (result !== undefined) return result;
      }
      return undefined;
    },
    leave(...args: unknown[]) {
      const node = args[0] as ASTNode;
      const h = handlers(node.kind);
      if (!h) return undefined;
      for (let j = 0; j < h.index.length; j++) {
        const i = h.index[j]!;
        if (skipping[i] === null) {
          const fn = h.leave[j];
          if (!fn) continue;
          const result = fn.apply(visitors[i], args);
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

/** The rules as one rule: each rule's visitor made for the context, run by visitInParallelLazily. */
export function mergeRules(rules: readonly ValidationRule[]): ValidationRule {
  return (context: ValidationContext) => visitInParallelLazily(rules.map((rule) => rule(context)));
}

/** graphql-js `validate(schema, document, rules)`, with the rules dispatched as above. */
export function validateOnce(schema: GraphQLSchema, document: DocumentNode, merged: ValidationRule): readonly GraphQLError[] {
  return validate(schema, document, [merged]);
}
