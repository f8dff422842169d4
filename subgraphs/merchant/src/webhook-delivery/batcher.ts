// Natural batching of one statement's calls: calls made while a batch is running (or in the same
// turn of the event loop) go together in the next one, up to `maxBatch`, at most `maxInFlight`
// batches at a time. Idle, a call runs at once (alone); busy, many calls share one round trip and
// one commit. A failed batch fails each of its calls (each job retries as it would alone).
export class Batcher<I, O> {
  private pending: Array<{ item: I; resolve: (o: O) => void; reject: (err: unknown) => void }> = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 100,
    private readonly maxInFlight = 2,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  private drain(): void {
    while (this.running < this.maxInFlight && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.running += 1;
      Promise.resolve()
        .then(() => this.run(batch.map((b) => b.item)))
        .then(
          (out) => batch.forEach((b, i) => b.resolve(out[i]!)),
          (err: unknown) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          this.running -= 1;
          this.drain();
        });
    }
  }
}
