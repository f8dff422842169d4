// Admission control for webhook ingestion: at most `maxInFlight` webhooks are being verified and
// stored at once in this process; one more is refused at once with 503 and Retry-After, before
// any work, instead of queueing behind the others (after an outage the PSP's retries arrive on
// top of the live traffic: a fast 503 it retries later beats a 2xx seconds late). A refused event
// is not stored and not acknowledged; the PSP retries it like any 5xx.
export interface WebhookAdmissionOptions {
  maxInFlight: number;
  /** The Retry-After (seconds) of a refusal. */
  retryAfterSeconds: number;
}

export const SHED_ERROR = 'temporarily overloaded';

const REPORT_EVERY_MS = 5000;

export class WebhookAdmission {
  private inFlight = 0;
  private shedSinceReport = 0;
  private lastReport = 0;

  constructor(
    readonly opts: WebhookAdmissionOptions,
    /** Told at most every 5 s while shedding, with how many were refused since it was last told. */
    private readonly onShed: (refused: number) => void = () => undefined,
  ) {}

  /** true: admitted, call leave() when answered. false: refuse (503). */
  tryEnter(): boolean {
    if (this.inFlight >= this.opts.maxInFlight) {
      this.shedSinceReport += 1;
      const now = Date.now();
      if (now - this.lastReport >= REPORT_EVERY_MS) {
        this.lastReport = now;
        this.onShed(this.shedSinceReport);
        this.shedSinceReport = 0;
      }
      return false;
    }
    this.inFlight += 1;
    return true;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}
