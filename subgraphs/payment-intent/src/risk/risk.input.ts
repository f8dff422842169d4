// Arguments of the risk operations: a merchant's rules (setRiskRules) and what a caller knows of
// the buyer's connection (confirmPaymentIntent, scoreCheckoutRisk).
import { MoneyInput } from '@handoff/shared';
import { Field, InputType, Int } from 'type-graphql';
import { CountryPair, RiskAction, RiskRuleType, RiskSignal } from './risk.model.js';

@InputType('RiskRuleInput', { description: 'One rule; each type takes only the fields it uses.' })
export class RiskRuleInput {
  @Field({ description: 'Your name for it (1-40 lower case letters, digits, _ or -), unique among your rules.' }) id: string;
  @Field(() => RiskRuleType) type: RiskRuleType;
  @Field(() => Boolean, { nullable: true, description: 'Default true.' }) enabled?: boolean | null;
  @Field(() => Int, { nullable: true, description: 'Points (0-100) added to the score when it matches. Default 0.' }) score?: number | null;
  @Field(() => RiskAction, { nullable: true, description: 'CHALLENGE, REVIEW or BLOCK when it matches (not for lists).' }) action?: RiskAction | null;
  @Field(() => RiskSignal, { nullable: true, description: 'VELOCITY, DECLINE_RATIO, BLOCK_LIST, ALLOW_LIST.' }) signal?: RiskSignal | null;
  @Field(() => Int, { nullable: true, description: 'VELOCITY, DECLINE_RATIO: 60 s to 30 days.' }) windowSeconds?: number | null;
  @Field(() => Int, { nullable: true, description: 'VELOCITY: payments allowed in the window (the next one matches).' }) maxPayments?: number | null;
  @Field(() => MoneyInput, { nullable: true, description: 'AMOUNT_ABOVE.' }) amount?: MoneyInput | null;
  @Field(() => CountryPair, { nullable: true, description: 'COUNTRY_MISMATCH.' }) countries?: CountryPair | null;
  @Field(() => [String], { nullable: true, description: 'BLOCK_LIST, ALLOW_LIST: emails, card fingerprints, IP addresses, agent ids or ISO countries (1-1000).' }) values?: string[] | null;
  @Field(() => Int, { nullable: true, description: 'DECLINE_RATIO: 0-10000 basis points.' }) maxRatioBps?: number | null;
  @Field(() => Int, { nullable: true, description: 'DECLINE_RATIO: attempts needed before it judges (default 1).' }) minAttempts?: number | null;
}

@InputType('RiskRulesInput', { description: 'Replaces all of the merchant risk rules and thresholds.' })
export class RiskRulesInput {
  @Field(() => [RiskRuleInput], { description: 'At most 50.' }) rules: RiskRuleInput[];
  @Field(() => Int, { nullable: true }) challengeAt?: number | null;
  @Field(() => Int, { nullable: true }) reviewAt?: number | null;
  @Field(() => Int, { nullable: true }) blockAt?: number | null;
  @Field(() => MoneyInput, { nullable: true, description: 'Payments above it (in its currency) need a verified identity (KYC) first; null: never.' })
  kycRequiredAbove?: MoneyInput | null;
}

@InputType('RiskContextInput', { description: "What you know of the buyer's connection, for IP rules (ignored from the hosted page's own calls)." })
export class RiskContextInput {
  @Field(() => String, { nullable: true, description: 'IPv4 or IPv6.' }) ipAddress?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2 of the IP address.' }) ipCountry?: string | null;
}
