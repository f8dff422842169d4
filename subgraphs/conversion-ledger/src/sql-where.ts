// A raw-SQL WHERE clause built up condition by condition, with its parameters numbered from 1:
// reporting's reads and the tenancy rules they apply (`*.access.ts`) share one.
export class Where {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];
  /** A condition on one parameter: `sql` receives its placeholder (`$n`). */
  add(sql: (p: string) => string, value: unknown): this {
    this.params.push(value);
    this.parts.push(sql(`$${this.params.length}`));
    return this;
  }
  /** A condition without parameters. */
  raw(sql: string): this {
    this.parts.push(sql);
    return this;
  }
  /** The same conditions, to add more to (a page's cursor after its count) without changing this one. */
  copy(): Where {
    const w = new Where();
    w.parts.push(...this.parts);
    w.params.push(...this.params);
    return w;
  }
  get sql(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}
