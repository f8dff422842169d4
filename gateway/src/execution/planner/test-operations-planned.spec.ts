// The tripwire of Handoff's planner: every operation the tests send (test/operations/*.graphql)
// is planned by Handoff's planner on Handoff's supergraph, none left to @apollo/gateway. A change
// to the schema or to an operation that takes one outside the planner's subset (an abstract type,
// a field with @requires, a @skip across subgraphs…) fails here with the reason the gateway would
// log (execution/fallback-reasons.ts), instead of quietly costing a plan by @apollo/gateway. The
// executor is wired as createGateway wires it: the gateway's default limits, Apollo Server's
// validation, the API schema ApolloFallbackGateway builds and announces.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDOFF_SUPERGRAPH_FILE, testOperations } from '../../../test/support/test-operations.js';
import { loadGatewayConfig } from '../../config.js';
import { queryProtection } from '../../graphql/limits.js';
import { ApolloFallbackGateway } from '../apollo-fallback.js';
import { fallbackReasonLogger } from '../fallback-reasons.js';
import { HandoffExecutor } from '../handoff-executor.js';

describe("every operation in test/operations/ is planned by Handoff's planner, none falls back to @apollo/gateway", () => {
  const config = loadGatewayConfig({});
  const protection = queryProtection(config.limits, { hideSuggestions: config.production });
  const plans: Array<'handoff' | 'apollo'> = [];
  const loggedReasons: string[] = [];
  const prepareErrors: unknown[] = [];
  const tellFallbackReason = fallbackReasonLogger({ info: (obj: { reason: string }) => void loggedReasons.push(obj.reason) } as never);
  const executor = new HandoffExecutor({
    dataSources: new Map(),
    onPrepareError: (err) => prepareErrors.push(err),
    onPlan: (planner, reason) => {
      plans.push(planner);
      if (planner === 'apollo' && reason) tellFallbackReason(reason);
    },
    validation: { parseOptions: protection.parseOptions, validationRules: protection.validationRules },
  });
  const fallback = new ApolloFallbackGateway({ supergraphSdl: readFileSync(HANDOFF_SUPERGRAPH_FILE, 'utf8'), config: {}, validateSupergraph: true });
  const gateway = executor.wrap(fallback);
  const operations = testOperations().filter((o) => o.kind !== 'subscription');

  beforeAll(async () => {
    // As Apollo Server starts it: the API schema and the supergraph are announced, Handoff's
    // planner is built on them; @apollo/gateway itself is not loaded.
    await gateway.load({ apollo: { key: undefined, keyHash: undefined, graphRef: undefined, graphId: undefined, graphVariant: 'current' } } as never);
  });
  afterAll(() => gateway.stop());

  it('reads queries and mutations from test/operations/', () => {
    expect(operations.filter((o) => o.kind === 'query').length).toBeGreaterThanOrEqual(15);
    expect(operations.filter((o) => o.kind === 'mutation').length).toBeGreaterThanOrEqual(15);
  });

  it('plans and prepares each one itself, and never needs @apollo/gateway', () => {
    const notPlanned: string[] = [];
    for (const op of operations) {
      const before = loggedReasons.length;
      const prepared = executor.lookupOrPlan(op.text, op.name);
      if (!prepared) notPlanned.push(`${op.kind} ${op.name} (${op.file}): ${loggedReasons.slice(before).join('; ') || 'not valid under the gateway’s validation and limits'}`);
      else expect(prepared.kind, op.name).toBe(op.kind);
    }
    expect(notPlanned).toEqual([]);
    expect(loggedReasons).toEqual([]);
    expect(prepareErrors).toEqual([]);
    expect(plans).toEqual(operations.map(() => 'handoff'));
    expect(fallback.loaded).toBe(false);
  });
});
