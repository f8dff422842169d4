// The queue dashboard itself (@bull-board/api + @bull-board/express over BullMQ), built on the
// first dashboard request (dashboard.ts imports this module lazily: the gateway's /graphql never
// loads BullMQ or bull-board; gateway/src/module-weight.spec.ts). Its queues are the operator
// QueueAdmin's (every package's, from the heartbeats' registry), refreshed as packages register new
// ones. Retrying failed jobs is allowed; dashboard.ts refuses every other change.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler } from 'express';
import type { QueueAdmin } from '@handoff/shared/queue/queue-admin';

export interface QueueBoard {
  handler: RequestHandler;
  /** Shows exactly these queues (name → package), adding and removing as needed. */
  show(queues: Array<{ queue: string; packageName: string }>): void;
}

export function createQueueBoard(basePath: string, admin: QueueAdmin): QueueBoard {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  // Retries of failed jobs only (the adapter's own option; its public type omits it).
  const options = { readOnlyMode: false, allowRetries: true, allowCompletedRetries: false };
  const adapterOf = (queue: string, packageName: string) =>
    new BullMQAdapter(admin.queue(queue), { ...options, description: `${packageName} package` } as ConstructorParameters<typeof BullMQAdapter>[1]);
  const board = createBullBoard({
    queues: [],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Handoff queues', hideRedisDetails: true } },
  });
  let shown = '';
  return {
    handler: serverAdapter.getRouter() as RequestHandler,
    show(queues) {
      const key = queues.map((q) => `${q.queue}=${q.packageName}`).join(',');
      if (key === shown) return;
      shown = key;
      board.replaceQueues(queues.map((q) => adapterOf(q.queue, q.packageName)));
    },
  };
}
