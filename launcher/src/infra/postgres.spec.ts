import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedPort } from './postgres.js';

const listening: Server[] = [];
const occupy = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    listening.push(server);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });

afterEach(async () => {
  await Promise.all(listening.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('the embedded PostgreSQL port', () => {
  it('is the preferred port when it is free', async () => {
    const port = await occupy();
    await new Promise((r) => listening.pop()!.close(r)); // free again
    expect(await embeddedPort(port)).toBe(port);
  });

  it('is another free port when the preferred one is taken (a second Handoff beside the first)', async () => {
    const taken = await occupy();
    const port = await embeddedPort(taken);
    expect(port).not.toBe(taken);
    expect(port).toBeGreaterThan(0);
  });
});
