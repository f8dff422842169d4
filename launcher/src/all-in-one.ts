// `npm start`: all of Handoff in one process on a developer machine. Finds (or starts)
// PostgreSQL and Redis, migrates, starts the subgraphs, workers and gateway, loads demo data,
// prints the URLs and demo keys, and shuts down cleanly on Ctrl-C.
import { ConfigError, tracingOn } from '@handoff/shared';
import { loadLauncherConfig, readReplicaEnv } from './config.js';
import { loadDemoData, type DemoData } from './demo-data.js';
import { demoDelegatedPayment, type DemoDelegatedPayment } from './demo-delegated-payment.js';
import { providePostgres, type PostgresHandle } from './infra/postgres.js';
import { provideRedis, RedisUnavailableError, type RedisHandle } from './infra/redis.js';
import { loadDevSecrets } from './infra/secrets.js';
import { assertPortsFree, PORT_ENV, PortInUseError, startHandoff, type RunningHandoff } from './start.js';

const log = (msg: string) => console.log(`[handoff] ${msg}`);

async function main() {
  const started = Date.now();
  const config = loadLauncherConfig();
  const subgraphPorts = {
    merchant: config.MERCHANT_PORT,
    'checkout-session': config.CHECKOUT_SESSION_PORT,
    'payment-intent': config.PAYMENT_INTENT_PORT,
    'conversion-ledger': config.CONVERSION_LEDGER_PORT,
  };
  // A taken port is told at once, in one sentence, not after PostgreSQL, Redis and migrations.
  try {
    await assertPortsFree(
      [
        { port: config.PORT, variable: PORT_ENV.gateway! },
        ...Object.entries(subgraphPorts).map(([name, port]) => ({ port, variable: PORT_ENV[name]! })),
        ...(config.PSP_SANDBOX_URL ? [] : [{ port: config.PSP_SANDBOX_PORT, variable: PORT_ENV['psp-sandbox']! }]),
      ],
      config.HOST,
    );
    if (config.METRICS_PORT) await assertPortsFree([{ port: config.METRICS_PORT, variable: PORT_ENV.metrics! }], config.METRICS_HOST ?? '127.0.0.1');
  } catch (err) {
    if (!(err instanceof PortInUseError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
  const secrets = await loadDevSecrets(config.HANDOFF_DATA_DIR);
  const adminKey = config.HANDOFF_ADMIN_KEY ?? secrets.adminKey;
  let postgres: PostgresHandle | undefined;
  let redis: RedisHandle | undefined;
  let handoff: RunningHandoff | undefined;

  const shutdown = async (code: number, opts: { quiet?: boolean } = {}) => {
    if (!opts.quiet) log('shutting down…');
    await handoff?.stop();
    await redis?.stop();
    await postgres?.stop();
    process.exit(code);
  };
  // A second Ctrl-C stops at once (exit 130) instead of waiting for the clean shutdown.
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130);
    stopping = true;
    void shutdown(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    postgres = await providePostgres({ databaseUrl: config.DATABASE_URL, dataDir: config.HANDOFF_DATA_DIR, database: config.databaseName, log });
    redis = await provideRedis({ redisUrl: config.REDIS_URL, log });
    const publicBaseUrl = config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;
    handoff = await startHandoff({
      databaseUrl: postgres.url,
      redisUrl: redis.url,
      queuePrefix: config.QUEUE_PREFIX,
      nodeEnv: config.NODE_ENV,
      logLevel: config.LOG_LEVEL,
      adminKey,
      internalSecret: config.HANDOFF_INTERNAL_SECRET ?? secrets.internalSecret,
      encryptionKey: config.HANDOFF_ENCRYPTION_KEY ?? secrets.encryptionKey,
      attributionKeys: secrets.attributionKeys,
      host: config.HOST,
      gatewayPort: config.PORT,
      // Unset: any free port (startHandoff picks one); the banner prints where each listens.
      subgraphPorts,
      sandboxPort: config.PSP_SANDBOX_PORT,
      extraEnv: {
        PUBLIC_BASE_URL: publicBaseUrl,
        ...(config.PSP_SANDBOX_URL !== undefined ? { PSP_SANDBOX_URL: config.PSP_SANDBOX_URL } : {}),
        ...(config.PSP_SANDBOX_ADMIN_KEY !== undefined ? { PSP_SANDBOX_ADMIN_KEY: config.PSP_SANDBOX_ADMIN_KEY } : {}),
        ...(config.METRICS_PORT !== undefined ? { METRICS_PORT: String(config.METRICS_PORT) } : {}),
        ...(config.METRICS_HOST !== undefined ? { METRICS_HOST: config.METRICS_HOST } : {}),
        ...(config.METRICS_TOKEN !== undefined ? { METRICS_TOKEN: config.METRICS_TOKEN } : {}),
        // A read replica for BI reads: only when set (README, "BI reads on a read replica").
        ...readReplicaEnv(config),
      },
    });
    const demo = config.DEMO_DATA === 'true' ? await loadDemoData(handoff.graphqlUrl, adminKey, config.HANDOFF_DATA_DIR) : undefined;
    // A delegated token to try (ACP delegate_payment); a failure here never stops the start.
    const delegated = demo
      ? await demoDelegatedPayment(handoff.graphqlUrl, publicBaseUrl, demo).catch((err: unknown) => {
          console.warn(`Could not create the demo delegated payment token: ${String(err)}`);
          return undefined;
        })
      : undefined;
    printBanner(handoff, config.QUEUE_PREFIX, publicBaseUrl, postgres, redis, demo, Date.now() - started, delegated);
  } catch (err) {
    if (err instanceof PortInUseError) {
      console.error(err.message);
      await shutdown(1, { quiet: true });
      return;
    }
    if (err instanceof RedisUnavailableError || err instanceof ConfigError) {
      console.error(`\n${err.message}\n`);
    } else {
      console.error('\nHandoff failed to start:', err);
    }
    await shutdown(1);
  }
}

function printBanner(
  h: RunningHandoff,
  queuePrefix: string,
  publicBaseUrl: string,
  pg: PostgresHandle,
  redis: RedisHandle,
  demo: DemoData | undefined,
  ms: number,
  delegated?: DemoDelegatedPayment,
) {
  const lines = [
    '',
    `Handoff is running (started in ${(ms / 1000).toFixed(1)} s).`,
    '',
    `  GraphQL            ${publicBaseUrl}/graphql`,
    `  Merchant portal    ${publicBaseUrl}/portal`,
    `  Health             ${publicBaseUrl}/health/ready`,
    `  Queues dashboard   ${publicBaseUrl}/admin/queues/login  (the admin key)`,
    `  Metrics            ${h.metricsUrl.startsWith(`${h.gatewayUrl}/`) ? `${publicBaseUrl}/metrics` : h.metricsUrl}`,
    ...h.subgraphs.map((s) => `  ${s.name.padEnd(19)}${s.url}  (signed calls only)`),
    `  Sandbox PSP        ${h.sandboxUrl}  (its API, for payment-intent's TEST connectors)`,
    `  PostgreSQL         ${pg.source}, database ${pg.database}${pg.source === 'embedded' ? ' (data in .data/pg)' : ''}`,
    `  Redis              ${redis.source}, queue prefix ${queuePrefix}`,
    // On only with an OTLP endpoint (README, "Tracing (OpenTelemetry)").
    `  Tracing            ${tracingOn() ? `on: OTLP to ${process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT}` : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to turn it on)'}`,
    '',
    'Keys (send as "Authorization: Bearer <key>"):',
    `  ADMIN          ${h.adminKey}`,
  ];
  if (demo) {
    lines.push(
      `  MERCHANT       ${demo.keys.merchant}   SMARTY (${demo.smartyMerchantId})`,
      `  MERCHANT       ${demo.keys.secondMerchant}   Ikawaari Market (${demo.secondMerchantId})`,
      `  AGENT          ${demo.keys.agent}   registered builder (${demo.registeredAgentId})`,
      `  AGENT          ${demo.keys.anonymousAgent}   anonymous (${demo.anonymousAgentId})`,
      '',
      `Demo offer: "30GB Rolling Monthly" £10.00 (${demo.smartyOfferId}), SMARTY, sandbox PSP connected.`,
      `Demo plan:  "Unlimited Monthly Plan" £20.00 a month, 7-day trial (${demo.smartyPlanOfferId}): an agent's checkout of it is a SUBSCRIPTION session (docs/recurring.md).`,
      `Merchant portal: sign in at ${publicBaseUrl}/portal as ${demo.portalOwner.email}, password ${demo.portalOwner.password}  (SMARTY's owner; kept in .data/demo.json)`,
    );
  }
  if (delegated) {
    lines.push(
      '',
      `ACP (agent key): ${delegated.acpBaseUrl}  (…/checkout_sessions, …/agentic_commerce/delegate_payment; docs/acp.md)`,
      `Delegated token to try: ${delegated.token}  (sandbox 4242 card, one_time, up to £20.00 for 24 h, SMARTY checkout ${delegated.checkoutSessionId})`,
      `Pay that checkout with it:`,
      `  ${delegated.payCurl}`,
    );
  }
  lines.push('', 'Ctrl-C stops everything.', '');
  console.log(lines.join('\n'));
}

await main();
