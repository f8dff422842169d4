import 'reflect-metadata';
import { describe, it, expect } from 'vitest';
import { graphql, printType, type GraphQLObjectType, type GraphQLInputObjectType } from 'graphql';
import { Arg, buildSchema, Query, Resolver } from 'type-graphql';
import { HandoffError } from '../errors/codes.js';
import { money } from '../money/money.js';
import { MoneyInput, MoneyType, moneyFromInput, SafeInt, toMoneyType } from './money.type.js';

describe('toMoneyType', () => {
  it.each([
    [1000, 'GBP', '10.00'], [-5, 'GBP', '-0.05'], [50000, 'XOF', '50000'], [1000, 'KWD', '1.000'], [0, 'JPY', '0'],
  ])('%i %s has amount %s', (minor, currency, amount) => {
    const type = toMoneyType(money(minor, currency));
    expect(type).toBeInstanceOf(MoneyType);
    expect({ ...type }).toEqual({ amountMinor: minor, currency, amount });
    expect(MoneyType.from(money(minor, currency))).toEqual(type);
  });
});

describe('moneyFromInput', () => {
  it('validates and normalizes', () => {
    expect(moneyFromInput({ amountMinor: 800, currency: 'gbp' })).toEqual({ amountMinor: 800, currency: 'GBP' });
  });

  it.each([
    [{ amountMinor: 1, currency: 'ZZZ' }, 'price.currency'],
    [{ amountMinor: 1, currency: 'XAU' }, 'price.currency'],
    [{ amountMinor: 1.5, currency: 'GBP' }, 'price.amountMinor'],
    [{ amountMinor: Number.MAX_SAFE_INTEGER + 1, currency: 'GBP' }, 'price.amountMinor'],
  ])('rejects %j naming %s', (input, field) => {
    try {
      moneyFromInput(input as MoneyInput, 'price');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HandoffError);
      expect((error as HandoffError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect((error as HandoffError).message.startsWith(`${field}: `)).toBe(true);
    }
  });

  it('defaults the field name to amount', () => {
    expect(() => moneyFromInput({ amountMinor: 1, currency: 'NOPE' })).toThrow(/^amount\.currency: /);
  });
});

describe('schema', () => {
  @Resolver()
  class EchoResolver {
    @Query(() => MoneyType)
    echo(@Arg('input', () => MoneyInput) input: MoneyInput): MoneyType {
      return toMoneyType(moneyFromInput(input, 'input'));
    }
  }

  it('prints Money and MoneyInput as API.md has them and serves amount', async () => {
    const schema = await buildSchema({ resolvers: [EchoResolver], skipCheck: true });
    expect(printType(schema.getType('Money') as GraphQLObjectType)).toMatch(
      /type Money \{[\s\S]*amountMinor: SafeInt![\s\S]*currency: String![\s\S]*amount: String!/,
    );
    expect(printType(schema.getType('MoneyInput') as GraphQLInputObjectType)).toMatch(
      /input MoneyInput \{[\s\S]*amountMinor: SafeInt![\s\S]*currency: String!/,
    );
    expect(SafeInt.name).toBe('SafeInt');

    const ok = await graphql({
      schema,
      source: '{ echo(input: { amountMinor: 50000, currency: "xof" }) { amountMinor currency amount } }',
    });
    expect(ok.errors).toBeUndefined();
    expect(ok.data).toEqual({ echo: { amountMinor: 50000, currency: 'XOF', amount: '50000' } });

    const unsafe = await graphql({
      schema,
      source: '{ echo(input: { amountMinor: 9007199254740992, currency: "GBP" }) { amount } }',
    });
    expect(unsafe.errors?.length).toBe(1);
  });
});
