import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, currentRequestId, requestIdFrom, runWithRequestContext } from './logger.js';

/** A logger whose JSON lines are collected in `lines`. */
function capture(level: 'info' | 'debug' | 'silent' = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('logger-spec', level, sink), lines };
}

describe('requestIdFrom', () => {
  it('keeps a short, plain client id', () => {
    expect(requestIdFrom('client-req-42')).toBe('client-req-42');
    expect(requestIdFrom('a.b:c_d-e')).toBe('a.b:c_d-e');
  });

  it('replaces a missing, short, long or unsafe one with a fresh UUID', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const bad of [undefined, '', 'short', 'x'.repeat(129), 'has space here', 'new\nline-injected', ['a-list-of-ids'], 42]) {
      expect(requestIdFrom(bad)).toMatch(uuid);
    }
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});

describe('createLogger', () => {
  it('adds the request id of the current context to every line, and none outside one', async () => {
    const { logger, lines } = capture();
    logger.info('outside');
    await runWithRequestContext({ requestId: 'req-logger-0001' }, async () => {
      logger.info('before await');
      await new Promise((r) => setTimeout(r, 1));
      logger.child({ job: 'j1' }).info('after await, in a child');
      expect(currentRequestId()).toBe('req-logger-0001');
    });
    expect(currentRequestId()).toBeUndefined();
    expect(lines.map((l) => [l.msg, l.requestId])).toEqual([
      ['outside', undefined],
      ['before await', 'req-logger-0001'],
      ['after await, in a child', 'req-logger-0001'],
    ]);
    expect(lines[2]).toMatchObject({ service: 'logger-spec', job: 'j1' });
  });

  it('keeps concurrent contexts apart', async () => {
    const { logger, lines } = capture();
    await Promise.all(
      ['req-aaaa-0001', 'req-bbbb-0002'].map((id, i) =>
        runWithRequestContext({ requestId: id }, async () => {
          await new Promise((r) => setTimeout(r, 5 - i * 4));
          logger.info({ id }, 'done');
        }),
      ),
    );
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l.requestId).toBe(l.id);
  });

  it('redacts keys and secrets', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        authorization: 'Bearer hk_adm_secret',
        req: { headers: { authorization: 'Bearer hk_mer_secret' } },
        apiKey: 'hk_agt_secret',
        connector: { secretKey: 'sk_test_secret', webhookSecret: 'whsec_secret' },
        card: { cardNumber: '4242424242424242' },
        merchantId: 'm1',
      },
      'connected',
    );
    const text = JSON.stringify(lines[0]);
    expect(text).not.toMatch(/secret"|4242424242424242/);
    expect(lines[0]).toMatchObject({
      authorization: '[redacted]',
      req: { headers: { authorization: '[redacted]' } },
      apiKey: '[redacted]',
      connector: { secretKey: '[redacted]', webhookSecret: '[redacted]' },
      card: { cardNumber: '[redacted]' },
      merchantId: 'm1',
    });
  });

  it('honours the level', () => {
    const { logger, lines } = capture('info');
    logger.debug('hidden');
    logger.warn('shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
    const silent = capture('silent');
    silent.logger.error('nothing');
    expect(silent.lines).toEqual([]);
  });
});
