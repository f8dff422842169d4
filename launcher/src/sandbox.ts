// The sandbox PSP beside Handoff (npm start, startHandoff in tests): its own schema, API and
// workers, on a port of its own. Handoff's payment-intent reaches it at PSP_SANDBOX_URL with
// PSP_SANDBOX_ADMIN_KEY, as it reaches Stripe; the sandbox's webhooks come back through the
// gateway's /webhooks/test/:merchantId.
import { createSandbox, loadSandboxConfig } from '@handoff/psp-sandbox';
import type { RunningServer } from '@handoff/shared';

export interface RunningSandbox {
  url: string;
  server: RunningServer;
  stop(): Promise<void>;
}

/** Migrates, listens on `port` (0: any free one) and, with `workers`, delivers and settles. */
export async function startPspSandbox(env: Record<string, string>, port: number, host: string, workers: boolean): Promise<RunningSandbox> {
  const sandbox = createSandbox(loadSandboxConfig({ ...env, PSP_SANDBOX_PORT: String(port) }));
  const stoppers: Array<() => Promise<void>> = [() => sandbox.close()];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
    stoppers.length = 0;
  };
  try {
    await sandbox.migrate();
    const server = await sandbox.listen(port, host);
    stoppers.push(() => server.close());
    if (workers) {
      const w = await sandbox.startWorkers();
      stoppers.push(() => w.close());
    }
    return { url: server.url, server, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
