// Strings built with `+=` (a stripped query text, a printed subgraph operation) are ropes in V8: one
// small object per piece, ~140 for the bench's Q1 once its ignored characters are stripped. Kept in
// the plan cache (its keys, the plans' operation texts), a rope costs several times the flat text
// and every piece is copied by the young generation's scavenges and then kept in the old space;
// a heap snapshot showed them as the largest part of what a cached new document retained.

/**
 * `text`, flattened in place: converting a string to a number makes V8 flatten a rope into one
 * sequential string (the technique of the `flatstr` package, which pino used), after which its
 * pieces are garbage. The value is unchanged whatever the engine does.
 */
export function flatString(text: string): string {
  // eslint-disable-next-line @typescript-eslint/no-unused-expressions
  Number(text);
  return text;
}
