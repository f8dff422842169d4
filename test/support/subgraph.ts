// One subgraph, on this run's database, migrated and listening on a free port, with a caller
// that signs exactly as the gateway does: the set-up of every subgraph's integration tests.
import { randomBytes } from 'node:crypto';
import type { RunningServer, SubgraphApp, SubgraphModule, SubgraphRuntimeConfig } from '@handoff/shared';
import { testEnv } from './env.js';
import { signedCaller } from './signed-call.js';

export interface StartedSubgraph {
  app: SubgraphApp;
  server: RunningServer;
  call: ReturnType<typeof signedCaller>;
  /** The internal secret its calls are signed with. */
  secret: string;
  close(): Promise<void>;
}

export async function startSubgraph<C extends SubgraphRuntimeConfig>(
  module: Pick<SubgraphModule<C>, 'loadConfig' | 'createApp'>,
  extraEnv: Record<string, string> = {},
): Promise<StartedSubgraph> {
  const env = testEnv();
  const secret = randomBytes(32).toString('hex');
  const app = await module.createApp(
    module.loadConfig({
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      QUEUE_PREFIX: env.queuePrefix,
      NODE_ENV: 'test',
      HANDOFF_INTERNAL_SECRET: secret,
      LOG_LEVEL: 'silent',
      ...extraEnv,
    }),
  );
  await app.migrate();
  const server = await app.listen(0);
  return {
    app,
    server,
    secret,
    call: signedCaller(server.url, secret),
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}
