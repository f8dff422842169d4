// Load generation: wrk (Debian's package) when it is installed, else autocannon from npm, so
// `npm install && npm run bench:gateway` works on a fresh clone. Both are open-loop-free
// closed-loop generators: N connections, each sending its next request when the last answered.
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Socket errors plus non-2xx answers. */
  errors: number;
}

export interface LoadSpec {
  url: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  /** Where wrk may write its script. */
  workDir: string;
  /** CPU list for the generator (taskset), or undefined to not pin. */
  cpu?: string;
}

export function wrkAvailable(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version; ENOENT means it is missing.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as { status?: number }).status === 1;
  }
}

const luaString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

let scripts = 0;
export async function runWrk(spec: LoadSpec): Promise<LoadResult> {
  const script = join(spec.workDir, `wrk-${++scripts}.lua`);
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      `wrk.body = ${luaString(spec.body)}`,
      ...Object.entries(spec.headers).map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`),
      'done = function(s, l, r)',
      '  io.write(string.format("WRKJSON {\\"requests\\":%d,\\"us\\":%d,\\"errors\\":%d,\\"p50\\":%d,\\"p90\\":%d,\\"p99\\":%d}\\n",',
      '    s.requests, s.duration, s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout + s.errors.status,',
      '    l:percentile(50), l:percentile(90), l:percentile(99)))',
      'end',
    ].join('\n'),
  );
  const args = ['-t1', `-c${spec.connections}`, `-d${spec.seconds}s`, '--timeout', '5s', '-s', script, spec.url];
  const [cmd, argv] = spec.cpu ? ['taskset', ['-c', spec.cpu, 'wrk', ...args]] : ['wrk', args];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))));
  });
  const m = /WRKJSON (\{.*\})/.exec(out);
  if (!m) throw new Error(`wrk printed no summary:\n${out}`);
  const r = JSON.parse(m[1]!) as { requests: number; us: number; errors: number; p50: number; p90: number; p99: number };
  const seconds = r.us / 1e6;
  return { requests: r.requests, seconds, rps: r.requests / seconds, p50Ms: r.p50 / 1000, p90Ms: r.p90 / 1000, p99Ms: r.p99 / 1000, errors: r.errors };
}

export async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const { default: autocannon } = (await import('autocannon')) as unknown as { default: (o: object) => Promise<any> };
  const r = await autocannon({
    url: spec.url,
    method: 'POST',
    headers: spec.headers,
    body: spec.body,
    connections: spec.connections,
    duration: spec.seconds,
    timeout: 5,
  });
  const seconds = r.duration as number;
  return {
    requests: r.requests.total,
    seconds,
    rps: r.requests.total / seconds,
    p50Ms: r.latency.p50,
    p90Ms: r.latency.p90,
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}
