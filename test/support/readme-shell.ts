// Runs the shell blocks of a README section as written, without a shell: the README's walkthrough
// uses only `NAME=value`, `NAME=$(curl … | jq -r PATH)`, `curl …` and `curl … | jq [PATH]`, with
// single quotes, double quotes, $NAME / ${NAME} and backslash-newline continuations. Anything else
// (another command, a curl option not listed here) throws, so a README that stops being runnable
// this way fails its test instead of being skipped. Every curl answer must be 2xx and JSON.

export interface CurlCall {
  line: string;
  method: string;
  url: string;
  status: number;
  body: unknown;
}

/** The ```sh blocks between `<!-- readme-flow` and `<!-- readme-flow-end -->`. */
export function flowBlocks(readme: string): string[] {
  const start = readme.indexOf('<!-- readme-flow:');
  const end = readme.indexOf('<!-- readme-flow-end -->');
  if (start < 0 || end < start) throw new Error('README: the readme-flow markers are missing');
  return [...readme.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** Logical lines: continuations joined, comments and blank lines dropped. */
export function logicalLines(block: string): string[] {
  return block
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map(stripComment)
    .map((l) => l.trim())
    .filter(Boolean);
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** Shell words with quotes removed and variables expanded (no globbing, no word splitting of values). */
export function words(text: string, vars: Record<string, string>): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  const expand = (s: string, i: number): [string, number] => {
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(s.slice(i));
    if (!m) return ['$', i + 1];
    const name = (m[1] ?? m[2])!;
    if (!(name in vars)) throw new Error(`README: $${name} is used before it is set`);
    return [vars[name]!, i + m[0].length];
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (cur !== null) out.push(cur);
      cur = null;
      i++;
    } else if (c === "'") {
      const j = text.indexOf("'", i + 1);
      if (j < 0) throw new Error(`README: unterminated ' in ${text}`);
      cur = (cur ?? '') + text.slice(i + 1, j);
      i = j + 1;
    } else if (c === '"') {
      cur ??= '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && /["\\$`]/.test(text[i + 1] ?? '')) {
          cur += text[i + 1];
          i += 2;
        } else if (text[i] === '$') {
          const [v, next] = expand(text, i);
          cur += v;
          i = next;
        } else cur += text[i++];
      }
      if (text[i] !== '"') throw new Error(`README: unterminated " in ${text}`);
      i++;
    } else if (c === '$') {
      const [v, next] = expand(text, i);
      cur = (cur ?? '') + v;
      i = next;
    } else {
      cur = (cur ?? '') + c;
      i++;
    }
  }
  if (cur !== null) out.push(cur);
  return out;
}

/** `.a.b[0].c` and `.data[].id` (the latter answers the array of values). */
export function jqPath(value: unknown, path: string): unknown {
  if (path === '.') return value;
  if (!/^(\.[A-Za-z_][A-Za-z0-9_]*|\[\d*\])+$/.test(path.replace(/^\.(?=\[)/, ''))) throw new Error(`README: jq path ${path} is not one this runner reads`);
  let cur: unknown[] = [value];
  let spread = false;
  for (const m of path.matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d*)\]/g)) {
    if (m[1] !== undefined) cur = cur.map((v) => (v as Record<string, unknown> | null)?.[m[1]!] ?? null);
    else if (m[2] === '') {
      cur = cur.flatMap((v) => (Array.isArray(v) ? v : []));
      spread = true;
    } else cur = cur.map((v) => (Array.isArray(v) ? (v[Number(m[2])] ?? null) : null));
  }
  return spread ? cur : cur[0];
}

async function curl(args: string[], line: string): Promise<CurlCall> {
  let method: string | undefined;
  let url: string | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-s' || a === '-sS') continue;
    if (a === '-X') method = args[++i];
    else if (a === '-H') {
      const h = args[++i]!;
      const colon = h.indexOf(':');
      headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
    } else if (a === '-d') body = args[++i];
    else if (a.startsWith('-')) throw new Error(`README: curl option ${a} is not one this runner knows: ${line}`);
    else if (url === undefined) url = a;
    else throw new Error(`README: two URLs in ${line}`);
  }
  if (!url) throw new Error(`README: no URL in ${line}`);
  const m = method ?? (body !== undefined ? 'POST' : 'GET');
  const res = await fetch(url, { method: m, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`README: ${m} ${url} answered ${res.status} with no JSON: ${text.slice(0, 200)}`);
  }
  if (res.status < 200 || res.status >= 300) throw new Error(`README: ${m} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return { line, method: m, url, status: res.status, body: parsed };
}

/** Splits `cmd | jq [-r] [PATH]` into the curl part and the jq path. */
function pipeline(text: string): { curl: string; jq?: string } {
  const m = /^(curl .*?)\s*\|\s*jq(?:\s+-r)?(?:\s+('[^']*'|\S+))?\s*$/.exec(text);
  if (m) return { curl: m[1]!, jq: (m[2] ?? '.').replace(/^'|'$/g, '') };
  if (!text.startsWith('curl ')) throw new Error(`README: not a curl command or an assignment: ${text}`);
  if (text.includes('|')) throw new Error(`README: a pipe this runner does not read: ${text}`);
  return { curl: text };
}

/**
 * Runs the lines in order. `given` are the values the reader copies from the banner: the first
 * block's assignments must name exactly these, and take them. Returns every curl call and the
 * variables set.
 */
export async function runFlow(blocks: string[], given: Record<string, string>): Promise<{ calls: CurlCall[]; vars: Record<string, string> }> {
  const vars: Record<string, string> = {};
  const calls: CurlCall[] = [];
  for (const [b, block] of blocks.entries()) {
    for (const line of logicalLines(block)) {
      const assign = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      if (assign && b === 0) {
        if (!(assign[1]! in given)) throw new Error(`README: the banner values block sets ${assign[1]}, which the test does not give`);
        vars[assign[1]!] = given[assign[1]!]!;
        continue;
      }
      if (assign) {
        const sub = /^\$\(([\s\S]*)\)$/.exec(assign[2]!.trim());
        if (!sub) throw new Error(`README: only NAME=$(curl … | jq -r PATH) is run after the first block: ${line}`);
        const p = pipeline(sub[1]!.trim());
        if (!p.jq) throw new Error(`README: ${assign[1]}=$(…) without jq: ${line}`);
        const call = await curl(words(p.curl, vars).slice(1), line);
        calls.push(call);
        const v = jqPath(call.body, p.jq);
        if (v === null || v === undefined || typeof v === 'object') throw new Error(`README: ${assign[1]} would be ${JSON.stringify(v)} (${p.jq} of ${JSON.stringify(call.body).slice(0, 300)})`);
        vars[assign[1]!] = String(v);
        continue;
      }
      const p = pipeline(line);
      const call = await curl(words(p.curl, vars).slice(1), line);
      if (p.jq) jqPath(call.body, p.jq);
      calls.push(call);
    }
  }
  for (const name of Object.keys(given)) if (!(name in vars)) throw new Error(`README: the banner values block does not set ${name}`);
  return { calls, vars };
}
