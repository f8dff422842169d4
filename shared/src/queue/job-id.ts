// Job ids, on their own so that the outbox's pure helpers do not load BullMQ through queue.ts.

/** A deterministic BullMQ job id from its parts. BullMQ rejects `:` in custom ids. */
export function safeJobId(...parts: string[]): string {
  return parts.join('-').replaceAll(':', '_');
}
