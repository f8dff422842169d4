// What the webhook storm is about: a merchant on the sandbox PSP, an agent with a registered
// builder, and payment intents made through the real flow (agent session → recommendation →
// agent checkout, through the gateway), each with the AAP metadata checkout signed. The world
// and the checkout are bench/src/harness/world.ts's (bench:system makes the same).
import { agentCheckout, gqlRetried, setUpCommerceWorld, START_SESSION, type CheckedOutIntent } from '../../bench/src/harness/world.js';
import { GqlClient } from '../support/client.js';

export type StormIntent = CheckedOutIntent;

export interface StormWorld {
  admin: GqlClient;
  merchant: { id: string; key: string; webhookSecret: string };
  agent: { id: string; key: string };
  offerId: string;
  intents: StormIntent[];
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

export async function setUpStormWorld(graphqlUrl: string, adminKey: string, intentCount: number, log: (line: string) => void = () => undefined): Promise<StormWorld> {
  const world = await setUpCommerceWorld(graphqlUrl, adminKey, 'Storm');
  const agent = <R = any>(query: string, variables?: Record<string, unknown>) => gqlRetried<R>(graphqlUrl, world.agent.key, query, variables);

  // Checkouts of one agent session queue on its row lock: a session per few checkouts, each
  // checkout its own recommendation.
  const PER_SESSION = 4;
  const sessions: Array<Promise<string>> = [];
  const sessionFor = (i: number) => (sessions[Math.floor(i / PER_SESSION)] ??= agent(START_SESSION).then((r) => r.startAgentSession.id as string));
  const intents: StormIntent[] = new Array(intentCount);
  const started = Date.now();
  await pool([...Array(intentCount).keys()], 12, async (i) => {
    intents[i] = await agentCheckout(agent, world.offerId, `storm-${i}`, await sessionFor(i));
    if ((i + 1) % 500 === 0) log(`  ${i + 1}/${intentCount} intents (${Math.round((Date.now() - started) / 1000)} s)`);
  });
  return { admin: new GqlClient(graphqlUrl, adminKey), ...world, intents };
}
