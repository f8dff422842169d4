// The GraphQL face of a merchant's billing settings (issue 22 item 4): the dunning schedule.
import type { DunningSettings } from '@handoff/shared';
import { Field, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType('DunningSettings')
export class DunningSettingsType {
  @Field(() => [Int], { description: "Days after a failed period's start at which the renewal is retried (strictly increasing, 1 to 10 retries, each 1..60)." })
  retryDays: number[];
  @Field({ description: 'What the subscription becomes when the last retry fails: UNPAID (kept, not renewed) or CANCELED.' })
  finalStatus: string;
}

@ObjectType('BillingSettings')
export class BillingSettingsType {
  @Field(() => DunningSettingsType, { description: 'Default until set: retries 1, 3, 5 and 7 days after the period start, then UNPAID.' })
  dunning: DunningSettingsType;
  @Field(() => Date, { nullable: true, description: 'Null when never set (the defaults).' })
  updatedAt: Date | null;

  static from(dunning: DunningSettings, updatedAt: Date | null): BillingSettingsType {
    return Object.assign(new BillingSettingsType(), { dunning: Object.assign(new DunningSettingsType(), dunning), updatedAt });
  }
}

@InputType('DunningSettingsInput', { description: 'Replaces the whole dunning schedule. INVALID_DUNNING_SCHEDULE (reason dunning:*) when it cannot be.' })
export class DunningSettingsInput {
  @Field(() => [Int], { description: 'Retry days after the period start: 1 to 10 entries, strictly increasing, each 1..60.' }) retryDays: number[];
  @Field({ description: 'UNPAID or CANCELED.' }) finalStatus: string;
}
