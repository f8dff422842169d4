// The GraphQL face of Money (API.md): `Money { amountMinor: SafeInt!, currency, amount }` and
// `MoneyInput`. Every subgraph declares the same Money type, so it is @shareable.
import { GraphQLSafeInt } from 'graphql-scalars';
import { Directive, Field, InputType, ObjectType } from 'type-graphql';
import { normalizeCurrency } from '../money/currency.js';
import { formatDecimal, money, type Money } from '../money/money.js';

/** Integers within ±(2^53 − 1): minor units survive JSON without loss. */
export { GraphQLSafeInt as SafeInt };

@ObjectType('Money', { description: 'An amount in integer minor units of an ISO 4217 currency.' })
@Directive('@shareable')
export class MoneyType implements Money {
  @Field(() => GraphQLSafeInt, { description: 'Integer minor units, e.g. 1000 for £10.00.' })
  amountMinor: number;

  @Field(() => String, { description: 'ISO 4217 code, e.g. "GBP".' })
  currency: string;

  @Field(() => String, { description: 'The exact decimal in major units, e.g. "10.00"; "50000" for XOF.' })
  amount: string;

  static from(m: Money): MoneyType {
    const type = new MoneyType();
    type.amountMinor = m.amountMinor;
    type.currency = m.currency;
    type.amount = formatDecimal(m);
    return type;
  }
}

/** Money as a resolver returns it, with `amount` computed from the currency's exponent. */
export const toMoneyType = (m: Money): MoneyType => MoneyType.from(m);

@InputType('MoneyInput', { description: 'An amount in integer minor units of an ISO 4217 currency.' })
export class MoneyInput {
  @Field(() => GraphQLSafeInt)
  amountMinor: number;

  @Field(() => String)
  currency: string;
}

/**
 * Validated Money from an input. Errors are BAD_USER_INPUT naming the path, e.g.
 * `price.currency` or `price.amountMinor`, with `field` as its first segment.
 */
export function moneyFromInput(input: MoneyInput, field = 'amount'): Money {
  const currency = normalizeCurrency(input?.currency, `${field}.currency`);
  return money(input.amountMinor, currency, `${field}.amountMinor`);
}
