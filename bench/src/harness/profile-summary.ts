// Summarises V8 CPU profiles (`node --cpu-prof`, as bench:system --profile and bench:gateway
// --profile write them): per profile, CPU time by area (an npm package, a Handoff package's
// source file, node's internals, GC) and the functions with the most self time.
//
//   node bench/dist/harness/profile-summary.js DIR [--top 25] [--only name]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives: `pkg:<npm package>`, `handoff:<workspace>/<file>`, `node:<module>` or a V8 pseudo-frame. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return `pkg:${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(gateway|shared|launcher|subgraphs\/[^/]+)\/dist\/(.*)$/.exec(url);
  return m ? `handoff:${m[1]}/${m[2]}` : url;
}

function summarise(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${area}:${lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / Math.max(1, total)).toFixed(1).padStart(5)} %`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const lines = [`busy ${ms(total)}, idle ${ms(idle)}, wall ${ms(profile.endTime - profile.startTime)}`, '  by area:'];
  for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`    ${ms(us)} ${pct(us)}  ${a}`);
  lines.push('  by function (self):');
  for (const [f, us] of [...fns].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`    ${ms(us)} ${pct(us)}  ${f}`);
  return lines.join('\n');
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: profile-summary.js DIR [--top N] [--only NAME]\n');
    process.exit(2);
  }
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const top = Number(arg('top') ?? 25);
  const only = arg('only');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    if (only && !f.startsWith(only)) continue;
    const profile = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
    process.stdout.write(`\n== ${f}: ${summarise(profile, top)}\n`);
  }
}

main();
