// Agent checkouts end to end through the gateway over HTTP: each one startAgentSession →
// recommend → checkout (a fresh session and Idempotency-Key each), closed loop at a fixed
// concurrency. The payment intents made are kept for the webhook phase.
import { agentCheckout, gql, GraphQLCallError, type CheckedOutIntent, type CommerceWorld } from '../harness/world.js';
import { closedLoop, type LoopResult } from './measure.js';

export async function measureCheckouts(
  graphqlUrl: string,
  world: CommerceWorld,
  concurrency: number,
  timing: { warmupMs: number; durationMs: number },
  intents: CheckedOutIntent[],
): Promise<LoopResult> {
  const call = <R = any>(query: string, variables?: Record<string, unknown>) => gql<R>(graphqlUrl, world.agent.key, query, variables, 30_000);
  const run = `${Date.now().toString(36)}-${concurrency}`;
  return closedLoop(
    concurrency,
    timing,
    async (worker, seq) => {
      intents.push(await agentCheckout(call, world.offerId, `sys-${run}-${worker}-${seq}`));
    },
    (err) => (err instanceof GraphQLCallError ? `${err.status} ${err.codes.join(',') || 'no code'}` : (err as Error).name ?? 'error'),
  );
}
