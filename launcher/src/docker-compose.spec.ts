// docker-compose.yml is for users: no Docker engine runs here. This keeps it true to the code.
// What each process reads is derived from its package's src/config.ts (the zod schema keys,
// plus shared/src/config/config.ts where it extends baseConfigSchema), never from a hand list,
// and what it requires in production is found by loading that config with compose's env.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fromRoot = (...p: string[]) => path.join(root, ...p);
const SHARED_CONFIG = fromRoot('shared/src/config/config.ts');

/**
 * The `.env` a user writes, in the forms README.md tells them to generate. Every `${VAR:?…}`
 * in the compose file must be here (and in the README), and nothing else.
 */
const dotEnv: Record<string, string> = {
  POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
  HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'),
  HANDOFF_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  HANDOFF_ADMIN_KEY: `hk_adm_${randomBytes(24).toString('hex')}`,
  PSP_SANDBOX_ADMIN_KEY: randomBytes(32).toString('hex'),
  // What `npm run keys:attribution` prints.
  ...(() => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return {
      AAP_SIGNING_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      AAP_PUBLIC_KEYS: JSON.stringify({ k1: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') }),
    };
  })(),
};

const EXPECTED_SERVICES = [
  'postgres',
  'redis',
  'gateway',
  'merchant',
  'checkout-session',
  'payment-intent',
  'conversion-ledger',
  'merchant-worker',
  'checkout-session-worker',
  'payment-intent-worker',
  'conversion-ledger-worker',
  'psp-sandbox',
  // Only with `--profile tracing`: Jaeger, the OTLP receiver and trace UI.
  'jaeger',
];

/**
 * The standard OpenTelemetry variables every Handoff process reads (shared/src/tracing reads the
 * `env.OTEL_…` it names; the SDK it loads reads the sampler's), not its config.ts.
 */
const TRACING_ENV = new Set([
  ...['shared/src/tracing/tracing.ts', 'shared/src/tracing/sdk.ts'].flatMap((f) =>
    [...readFileSync(fromRoot(f), 'utf8').matchAll(/\benv\.(OTEL_[A-Z_]+)/g)].map((m) => m[1]!),
  ),
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
]);

// ---------------------------------------------------------------------------------------------
// Reading the compose file

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: string[];
  expose?: Array<string | number>;
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

const composeSource = readFileSync(fromRoot('docker-compose.yml'), 'utf8');
// Compose honours YAML merge keys (`<<: *anchor`); yaml 2 needs them switched on.
const compose = parseYaml(composeSource, { merge: true }) as ComposeFile;

/** Compose's own variable syntax: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e}, ${VAR:+a}, ${VAR+a}. */
function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(
    /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (match, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare)!;
      const v = vars[name];
      const set = op?.startsWith(':') ? v !== undefined && v !== '' : v !== undefined;
      switch (op?.replace(':', '')) {
        case '-':
          return set ? v! : arg!;
        case '?':
          if (!set) throw new Error(`required variable ${name} is missing a value: ${arg}`);
          return v!;
        case '+':
          return set ? arg! : '';
        default:
          return v ?? '';
      }
    },
  );
}

/** The `${VAR:?…}` / `${VAR?…}` names: what the user must put in .env. */
function requiredComposeVariables(source: string): Set<string> {
  return new Set([...source.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => m[1]!));
}

/** A service's environment as its process sees it, after interpolation from `vars`. */
function serviceEnv(service: ComposeService, vars: Record<string, string | undefined> = dotEnv): Record<string, string> {
  const env = service.environment ?? {};
  const entries: Array<[string, string]> = Array.isArray(env)
    ? env.map((line) => {
        const i = line.indexOf('=');
        return [line.slice(0, i), line.slice(i + 1)];
      })
    : Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v, vars)]));
}

function commandOf(service: ComposeService): string[] {
  const c = service.command ?? [];
  return Array.isArray(c) ? c : c.split(/\s+/).filter(Boolean);
}

interface AppService {
  name: string;
  service: ComposeService;
  /** e.g. subgraphs/merchant */
  packageDir: string;
  role: 'main' | 'worker';
  /** The built file the command runs (relative to the repo root). */
  entry: string;
}

/** Services that run Handoff code: `node <package>/dist/<main|worker>.js`. */
function appServices(): AppService[] {
  return Object.entries(compose.services)
    .filter(([, s]) => commandOf(s)[0] === 'node')
    .map(([name, service]) => {
      const entry = commandOf(service)[1] ?? '';
      const m = /^(.+)\/dist\/(main|worker)\.js$/.exec(entry);
      if (!m) throw new Error(`${name}: command should be "node <package>/dist/(main|worker).js", got ${entry}`);
      return { name, service, packageDir: m[1]!, role: m[2] as 'main' | 'worker', entry };
    });
}

// ---------------------------------------------------------------------------------------------
// Reading what the code reads

/**
 * Environment names a config source reads: the keys of object literals given to `z.object(…)`,
 * `.extend(…)`, `z.strictObject(…)` or `z.looseObject(…)`, plus `process.env.NAME`. Keys of a
 * schema it imports from @handoff/shared (e.g. `baseConfigSchema.extend`) come from the shared
 * config source through `sharedSchemas`.
 */
function envNamesInSource(source: string, file: string, sharedSchemas: Map<string, Set<string>> = new Map()): Set<string> {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const names = new Set<string>();
  const localToShared = new Map<string, string>();
  const propName = (p: ts.PropertyName): string | undefined =>
    ts.isIdentifier(p) || ts.isStringLiteral(p) || ts.isNoSubstitutionTemplateLiteral(p) ? p.text : undefined;

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text.startsWith('@handoff/shared')) {
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) localToShared.set(el.name.text, (el.propertyName ?? el.name).text);
      }
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const arg = node.arguments[0];
      if (['object', 'strictObject', 'looseObject', 'extend'].includes(method) && arg && ts.isObjectLiteralExpression(arg)) {
        for (const prop of arg.properties) {
          const name = prop.name && propName(prop.name);
          if (name) names.add(name);
        }
      }
    }
    // process.env.NAME and process.env['NAME']
    if (ts.isPropertyAccessExpression(node) && node.expression.getText(sf) === 'process.env') names.add(node.name.text);
    if (ts.isElementAccessExpression(node) && node.expression.getText(sf) === 'process.env' && ts.isStringLiteral(node.argumentExpression)) {
      names.add(node.argumentExpression.text);
    }
    if (ts.isIdentifier(node)) {
      const shared = sharedSchemas.get(localToShared.get(node.text) ?? '');
      if (shared) for (const n of shared) names.add(n);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return names;
}

/** Exported schema constants of the shared config source → the env names each holds. */
function sharedSchemaNames(): Map<string, Set<string>> {
  const source = readFileSync(SHARED_CONFIG, 'utf8');
  const sf = ts.createSourceFile(SHARED_CONFIG, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out = new Map<string, Set<string>>();
  for (const stmt of sf.statements) {
    if (!ts.isVariableStatement(stmt)) continue;
    for (const decl of stmt.declarationList.declarations) {
      if (!ts.isIdentifier(decl.name) || !decl.initializer) continue;
      const names = envNamesInSource(decl.initializer.getText(sf), SHARED_CONFIG);
      if (names.size) out.set(decl.name.text, names);
    }
  }
  return out;
}

const sharedSchemas = sharedSchemaNames();

function configFileOf(packageDir: string): string {
  return fromRoot(packageDir, 'src/config.ts');
}

function envNamesReadBy(packageDir: string): Set<string> {
  const file = configFileOf(packageDir);
  return envNamesInSource(readFileSync(file, 'utf8'), file, sharedSchemas);
}

type LoadConfig = (env: Record<string, string | undefined>) => { env?: Record<string, unknown> } & Record<string, unknown>;

/** The package's exported `load…Config` function (loadConfig, loadGatewayConfig, …). */
async function configLoaderOf(packageDir: string): Promise<LoadConfig> {
  const mod = (await import(pathToFileURL(configFileOf(packageDir)).href)) as Record<string, unknown>;
  const loaders = Object.entries(mod).filter(([name, v]) => /^load\w*Config$/.test(name) && typeof v === 'function');
  if (loaders.length !== 1) throw new Error(`${packageDir}/src/config.ts should export one load…Config function, found ${loaders.map(([n]) => n).join(', ') || 'none'}`);
  return loaders[0]![1] as LoadConfig;
}

/** Strings anywhere in a parsed config (skipping functions and class instances such as the logger). */
function stringValues(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (depth > 4 || !value || typeof value !== 'object' || Buffer.isBuffer(value)) return [];
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null && !Array.isArray(value)) return [];
  return Object.values(value).flatMap((v) => stringValues(v, depth + 1));
}

// ---------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  const apps = appServices();

  it('has postgres, redis, the gateway, the four subgraphs and their workers, and the sandbox PSP', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...EXPECTED_SERVICES].sort());
    expect(compose.services.postgres?.image).toMatch(/^postgres:16/);
    expect(compose.services.redis?.image).toMatch(/^redis:7/);
    expect(commandOf(compose.services.redis!).join(' ')).toMatch(/--appendonly yes/);
    expect(apps.map((a) => a.name).sort()).toEqual(EXPECTED_SERVICES.filter((s) => s !== 'postgres' && s !== 'redis' && s !== 'jaeger').sort());
  });

  it('runs every app service from the one image the Dockerfile builds', () => {
    const images = new Set(apps.map((a) => a.service.image));
    expect(images.size).toBe(1);
    for (const app of apps) expect(app.service.build, `${app.name} has no build`).toBeDefined();
  });

  it.each(appServices().map((a) => [a.name, a] as const))('%s: its command runs a built entry point that exists in the source', (_name, app) => {
    const source = fromRoot(app.packageDir, 'src', `${app.role}.ts`);
    expect(existsSync(source), `${app.entry} is built from ${path.relative(root, source)}, which does not exist`).toBe(true);
    expect(existsSync(configFileOf(app.packageDir)), `${app.packageDir}/src/config.ts does not exist`).toBe(true);
    expect(app.name === 'gateway' || app.name.endsWith('-worker') === (app.role === 'worker')).toBe(true);
  });

  it.each(appServices().map((a) => [a.name, a] as const))('%s: sets only variables its config reads', (_name, app) => {
    const reads = envNamesReadBy(app.packageDir);
    expect(reads.size, `found no env names in ${app.packageDir}/src/config.ts`).toBeGreaterThan(0);
    const unread = Object.keys(serviceEnv(app.service)).filter((name) => !reads.has(name) && !TRACING_ENV.has(name));
    expect(unread, `set in docker-compose.yml but not read by ${app.packageDir}/src/config.ts`).toEqual([]);
  });

  // The first case imports the package's config module (and its dependencies): slow on a busy machine.
  it.each(appServices().map((a) => [a.name, a] as const))('%s: sets everything its config requires in production', { timeout: 30_000 }, async (_name, app) => {
    const env = serviceEnv(app.service);
    expect(env.NODE_ENV).toBe('production');
    const load = await configLoaderOf(app.packageDir);
    let config: ReturnType<LoadConfig> | undefined;
    expect(() => {
      config = load(env);
    }, `${app.packageDir} config rejects the compose environment`).not.toThrow();
    // Inside a container 127.0.0.1 is the container itself: a default pointing there (database,
    // Redis, subgraph URLs) is one compose forgot to override.
    const loopback = stringValues(config?.env ?? config).filter((v) => /\b127\.0\.0\.1\b|\[::1\]/.test(v));
    expect(loopback, `${app.name} would connect to itself`).toEqual([]);
  });

  it('fails a service whose config renamed a variable (the check above really reads the code)', () => {
    const file = configFileOf('subgraphs/merchant');
    const renamed = readFileSync(file, 'utf8').replaceAll('MERCHANT_PORT', 'MERCHANT_HTTP_PORT');
    const reads = envNamesInSource(renamed, file, sharedSchemas);
    expect(reads.has('MERCHANT_HTTP_PORT')).toBe(true);
    expect(reads.has('MERCHANT_PORT')).toBe(false);
    expect(reads.has('DATABASE_URL')).toBe(true); // through baseConfigSchema.extend
    expect(Object.keys(serviceEnv(compose.services.merchant!)).filter((n) => !reads.has(n) && !TRACING_ENV.has(n))).toEqual(['MERCHANT_PORT']);
  });

  it('points the gateway at each subgraph service on the port that subgraph listens on', () => {
    const gatewayEnv = serviceEnv(compose.services.gateway!);
    // The subgraphs (the sandbox PSP is not one: payment-intent calls it, the gateway does not).
    const servers = apps.filter((a) => a.role === 'main' && a.packageDir.startsWith('subgraphs/'));
    const targeted = new Set<string>();
    for (const [name, value] of Object.entries(gatewayEnv)) {
      const m = /^http:\/\/([a-z0-9-]+):(\d+)\/graphql$/.exec(value);
      if (!m) continue;
      const [, host, port] = m;
      const target = servers.find((s) => s.name === host);
      expect(target, `${name} points at ${host}, which is not a subgraph service`).toBeDefined();
      const portVars = [...envNamesReadBy(target!.packageDir)].filter((n) => n.endsWith('_PORT'));
      expect(portVars, `${target!.packageDir} should read exactly one *_PORT`).toHaveLength(1);
      expect(serviceEnv(target!.service)[portVars[0]!], `${host} listens on ${portVars[0]}`).toBe(port);
      targeted.add(host!);
    }
    expect([...targeted].sort()).toEqual(servers.map((s) => s.name).sort());
  });

  it('publishes the gateway on its PORT and probes every server on the port it listens on', () => {
    const gateway = compose.services.gateway!;
    const port = serviceEnv(gateway).PORT;
    expect(gateway.ports?.some((p) => interpolate(String(p), {}).endsWith(`:${port}`))).toBe(true);
    for (const app of apps.filter((a) => a.role === 'main')) {
      const env = serviceEnv(app.service);
      const listenPort = app.name === 'gateway' ? env.PORT : Object.entries(env).find(([k]) => k.endsWith('_PORT'))?.[1];
      const probe = [app.service.healthcheck?.test ?? []].flat().join(' ');
      expect(probe, `${app.name} healthcheck`).toContain(`127.0.0.1:${listenPort}/health/`);
    }
  });

  it('waits for healthy dependencies that exist', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const deps = service.depends_on ?? {};
      const entries = Array.isArray(deps) ? deps.map((d) => [d, {}] as const) : Object.entries(deps);
      for (const [dep, opts] of entries) {
        expect(compose.services[dep], `${name} depends on unknown ${dep}`).toBeDefined();
        if ((opts as { condition?: string }).condition === 'service_healthy') {
          expect(compose.services[dep]!.healthcheck, `${name} waits for ${dep} to be healthy, but it has no healthcheck`).toBeDefined();
        }
      }
    }
    for (const app of apps) {
      expect(Object.keys(app.service.depends_on ?? {})).toEqual(expect.arrayContaining(['postgres', 'redis']));
    }
  });

  it('takes its secrets from .env, each documented in the README', () => {
    const required = requiredComposeVariables(composeSource);
    expect([...required].sort()).toEqual(Object.keys(dotEnv).sort());
    expect(() => serviceEnv(compose.services.gateway!, {})).toThrow(/HANDOFF_ADMIN_KEY|POSTGRES_PASSWORD|HANDOFF_INTERNAL_SECRET/);
    const readme = readFileSync(fromRoot('README.md'), 'utf8');
    for (const name of required) expect(readme, `README.md should say how to set ${name}`).toContain(`${name}=`);
  });
});

describe('README.md', () => {
  it('documents every variable a process config reads', () => {
    const readme = readFileSync(fromRoot('README.md'), 'utf8');
    const packages = [...new Set([...appServices().map((a) => a.packageDir), 'launcher'])];
    for (const dir of packages) {
      const missing = [...envNamesReadBy(dir)].filter((name) => !readme.includes(`\`${name}\``));
      expect(missing, `read by ${dir}/src/config.ts but not in README.md's configuration table`).toEqual([]);
    }
  });
});

describe('Dockerfile', () => {
  it('copies the manifest of every workspace before `npm ci` (npm ci fails on a missing one)', () => {
    const dockerfile = readFileSync(fromRoot('Dockerfile'), 'utf8');
    const { workspaces } = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { workspaces: string[] };
    const install = /^RUN npm ci\b/m.exec(dockerfile);
    expect(install, 'Dockerfile runs npm ci').not.toBeNull();
    const beforeInstall = dockerfile.slice(0, install!.index);
    for (const ws of workspaces) expect(beforeInstall, `Dockerfile does not copy ${ws}/package.json`).toContain(`COPY ${ws}/package.json ${ws}/`);
  });
});
