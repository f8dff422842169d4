// Bad input everywhere (issue 7, RELIABILITY.md): a sweep GENERATED from the composed public
// schema over every argument of every Query and Mutation field (input objects walked recursively):
// wrong types, missing and null required values, empty, huge, negative, unicode, NUL, injection
// strings, 200-deep JSON, unknown ids, malformed cursors, bad enum values; by variables and a few
// inline, as an admin and a merchant (and an agent for the agent's mutations). Each answer is a
// GraphQL error with a stable code (or a success where the input was in fact valid), below 500,
// with no stack, SQL or internal URL; and no failed call writes a row. Every String, ID and JSON
// position also gets an oversized value (100 kB string or JSON, 5,000 keys), never sampled away:
// it must be refused with BAD_USER_INPUT (an id may be not-found), never accepted. Its own database, so other
// files' writes cannot blur the row counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { casesFor, sample, type BadCase, type IdLookup } from './sweep/bad-values.js';
import { diffCounts, privateDatabase, RowCounter } from './sweep/db.js';
import { CaseRunner, type Principal } from './sweep/run-cases.js';
import { rootFields, type RootKind } from './sweep/schema.js';
import { makeTenant, type Tenant } from './sweep/tenants.js';

/** Cases per field (each sent once per principal); every kind of bad value is sampled first. */
const PER_FIELD = 36;
const SEED = 7;

/** Which setup id an argument (or input field) of this name takes; `id` goes by the field's return type. */
const ARG_TYPES: Record<string, string> = {
  merchantId: 'Merchant', offerId: 'Offer', agentId: 'Agent', sessionId: 'AgentSession', recommendationId: 'Recommendation',
  conversionId: 'Conversion', checkoutSessionId: 'CheckoutSession', paymentIntentId: 'PaymentIntent',
};

describe('bad input sweep over the composed schema', () => {
  let db: Awaited<ReturnType<typeof privateDatabase>>;
  let handoff: RunningHandoff;
  let admin: GqlClient;
  let tenant: Tenant;
  let counter: RowCounter;

  beforeAll(async () => {
    db = await privateDatabase();
    handoff = await startTestHandoff({ databaseUrl: db.url });
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    tenant = await makeTenant(admin, 'S', false);
    counter = await RowCounter.open(handoff.env.DATABASE_URL!);
    // Setup's own follow-ups (outbox deliveries, payment intent events) settle first.
    let last = await counter.snapshot();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const now = await counter.snapshot();
      if (!diffCounts(last, now).length) break;
      last = now;
    }
  });

  afterAll(async () => {
    await counter?.close();
    await handoff?.stop();
    await db?.drop();
  });

  it('answers every generated bad input with a stable code, below 500, leaking nothing and writing nothing', async () => {
    const ids: IdLookup = (name, returnType) => {
      const type = name === 'id' ? returnType : ARG_TYPES[name];
      return type ? tenant.ids[type]?.[0] : undefined;
    };
    const principals: Principal[] = [
      { role: 'ADMIN', key: handoff.adminKey },
      { role: 'MERCHANT', key: tenant.merchant.key! },
    ];
    const agent: Principal = { role: 'AGENT', key: tenant.agent.key! };
    const plan = (kind: RootKind) => {
      const byField = new Map<string, { cases: BadCase[]; principals: Principal[] }>();
      for (const field of rootFields(kind)) {
        const cases = sample(casesFor(kind, field, ids), PER_FIELD, SEED);
        // The agent's own operations ("Agent: …") would only ever be FORBIDDEN for the others.
        const forAgent = /^Agent\b/.test(field.description ?? '');
        byField.set(field.name, { cases, principals: forAgent ? [...principals, agent] : principals });
      }
      return byField;
    };
    const internalUrls = handoff.subgraphs.map((s) => new URL(s.url).host);
    const runner = new CaseRunner(handoff.graphqlUrl, counter, internalUrls);
    const started = Date.now();
    await runner.queries(plan('query'));
    await runner.mutations(plan('mutation'));
    console.log(`bad input sweep (${Date.now() - started} ms)\n${runner.report()}`);

    expect(runner.summary.size).toBe(rootFields('query').length + rootFields('mutation').length);
    expect(runner.problems).toEqual([]);
  }, 300_000);
});
