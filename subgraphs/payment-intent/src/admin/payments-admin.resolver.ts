// Admin-only operations of the payment package: failed jobs (list, replay) and the sandbox
// PSP's triggers (a refund or a dispute made "at the processor", reported back by webhook).
import { requireKind, SafeInt, type SubgraphContext } from '@handoff/shared';
import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, registerEnumType, Resolver } from 'type-graphql';
import type { SandboxAdmin } from '../psp/sandbox/sandbox-admin.js';
import { FailedJobs } from './failed-jobs.js';

export enum SandboxDisputeOutcome {
  OPEN = 'OPEN',
  WON = 'WON',
  LOST = 'LOST',
}
registerEnumType(SandboxDisputeOutcome, { name: 'SandboxDisputeOutcome' });

@ObjectType('FailedPaymentJob')
class FailedJobType {
  @Field(() => String) queue: string;
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => String) failedReason: string;
  @Field(() => Int) attemptsMade: number;
  @Field(() => Date, { nullable: true }) failedAt: Date | null;
  @Field(() => GraphQLJSON) data: Record<string, unknown>;
}

@ObjectType('SandboxTriggerResult')
class SandboxTriggerResult {
  @Field(() => [String], { description: 'The webhook events the sandbox will send.' }) eventIds: string[];
  @Field(() => String, { nullable: true }) refundId: string | null;
}

@Resolver()
export class PaymentsAdminResolver {
  constructor(
    private readonly failedJobs: FailedJobs,
    private readonly sandbox: SandboxAdmin,
  ) {}

  @Query(() => [FailedJobType], { description: 'Admin: failed jobs of webhook-ingest, sandbox-webhook-delivery, sandbox-settle.' })
  async failedPaymentJobs(
    @Arg('queue', () => String, { nullable: true }) queue: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<FailedJobType[]> {
    requireKind(ctx.principal, 'ADMIN');
    return this.failedJobs.list(queue, Math.min(Math.max(first ?? 50, 1), 500));
  }

  @Mutation(() => Boolean, { description: 'Admin: re-run a failed job from its first attempt; false when there is no such failed job.' })
  replayFailedPaymentJob(@Arg('queue', () => String) queue: string, @Arg('jobId', () => ID) jobId: string, @Ctx() ctx: SubgraphContext): Promise<boolean> {
    requireKind(ctx.principal, 'ADMIN');
    return this.failedJobs.replay(queue, jobId);
  }

  @Mutation(() => SandboxTriggerResult, { description: 'Admin: a refund made at the sandbox PSP (Handoff learns of it by webhook).' })
  async sandboxTriggerRefund(
    @Arg('paymentIntentId', () => ID) paymentIntentId: string,
    @Arg('amountMinor', () => SafeInt, { nullable: true }) amountMinor: number | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<SandboxTriggerResult> {
    requireKind(ctx.principal, 'ADMIN');
    return Object.assign(new SandboxTriggerResult(), await this.sandbox.triggerRefund(paymentIntentId, amountMinor));
  }

  @Mutation(() => SandboxTriggerResult, { description: 'Admin: open a dispute at the sandbox PSP, or close it WON or LOST.' })
  async sandboxTriggerDispute(
    @Arg('paymentIntentId', () => ID) paymentIntentId: string,
    @Arg('outcome', () => SandboxDisputeOutcome) outcome: SandboxDisputeOutcome,
    @Ctx() ctx: SubgraphContext,
  ): Promise<SandboxTriggerResult> {
    requireKind(ctx.principal, 'ADMIN');
    return Object.assign(new SandboxTriggerResult(), await this.sandbox.triggerDispute(paymentIntentId, outcome));
  }
}
