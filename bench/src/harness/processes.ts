// Child processes for the fault harness: spawned, killed (SIGKILL or SIGTERM) and restarted on
// demand, each start bounded in time, and every child killed when the test process exits, even
// after a failed test or an uncaught error.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

function killAllNow(): void {
  for (const child of live) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
  live.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.exit(130);
    });
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until true, or throws after `timeoutMs`. */
export async function until(probe: () => Promise<boolean> | boolean, timeoutMs: number, what: string, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return; // a probe that throws ends the wait with its error
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Resolves true once the process is ready (polled after spawn). */
  ready?: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** Spawn options beyond env/cwd (e.g. uid/gid). */
  spawnOptions?: SpawnOptions;
}

/** One supervised OS process: start, kill, restart; keeps the tail of its output for diagnosis. */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private expectedExit = false;
  private output: string[] = [];
  /** Exits nobody asked for: when, code, signal, whether it was still starting, the last output. */
  readonly crashes: Array<{ at: number; code: number | null; signal: string | null; duringStart: boolean; tail: string }> = [];
  private ready = false;
  private supervised = false;
  private generation = 0;

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  tail(lines = 30): string {
    return this.output.slice(-lines).join('');
  }

  async start(): Promise<void> {
    if (this.running) return;
    hookExit();
    this.expectedExit = false;
    this.ready = false;
    this.output = [];
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: { PATH: process.env.PATH ?? '', ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a kill reaches anything it spawned
      ...this.spec.spawnOptions,
    });
    this.child = child;
    live.add(child);
    const keep = (b: Buffer) => {
      this.output.push(b.toString('utf8'));
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      live.delete(child);
      if (this.expectedExit || this.child !== child) return;
      this.crashes.push({ at: Date.now(), code, signal, duringStart: !this.ready, tail: this.tail(15) });
      // As a supervisor (compose's `restart: unless-stopped`) would: start it again after 1 s.
      // (A crash while starting is the starter's to retry: start() rejects.)
      if (this.supervised && this.ready) {
        const generation = this.generation;
        setTimeout(() => {
          if (generation === this.generation) void this.startWithRetries(120_000).catch(() => undefined);
        }, 1000).unref();
      }
    });
    if (this.spec.ready) {
      await until(
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) {
            throw new Error(`${this.spec.name} exited during start (${child.exitCode ?? child.signalCode}):\n${this.tail()}`);
          }
          return this.spec.ready!();
        },
        this.spec.readyTimeoutMs ?? 60_000,
        `${this.spec.name} to be ready`,
      ).catch((err: Error) => {
        if (err.message.includes('exited during start')) throw err;
        throw new Error(`${err.message}\n${this.tail()}`);
      });
    }
    this.ready = true;
  }

  /**
   * Restart the process whenever it exits on its own, as a supervisor would; a start that fails
   * (e.g. its database is down) is retried every second until it succeeds or the process is stopped.
   */
  supervise(): void {
    this.supervised = true;
  }

  /** Starts, retrying a failed start every second for up to `timeoutMs`. */
  async startWithRetries(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const generation = this.generation;
    for (;;) {
      try {
        return await this.start();
      } catch (err) {
        if (Date.now() > deadline || generation !== this.generation) throw err;
        await sleep(1000);
      }
    }
  }

  /** Sends `signal` and waits (bounded) for the exit; SIGKILL after `graceMs` if still alive. */
  async stop(signal: NodeJS.Signals = 'SIGKILL', graceMs = 10_000): Promise<void> {
    this.generation += 1; // cancels pending supervisor restarts and start retries
    const child = this.child;
    if (!child || !this.running) return;
    this.expectedExit = true;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const send = (s: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, s);
      } catch {
        child.kill(s);
      }
    };
    send(signal);
    const timer = setTimeout(() => send('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }

  async restart(signal: NodeJS.Signals = 'SIGKILL', downMs = 0): Promise<void> {
    await this.stop(signal);
    if (downMs) await sleep(downMs);
    await this.startWithRetries(60_000);
  }
}
