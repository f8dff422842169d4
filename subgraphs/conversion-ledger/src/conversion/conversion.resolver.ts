// GraphQL adapter for conversions: maps arguments, calls the service, shapes the result.
import { money, MoneyType, toMoneyType, type SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { AgentRef, MerchantRef } from '../federation/stubs.js';
import type { ConversionEntity } from './conversion.entity.js';
import { ConversionService } from './conversion.service.js';
import { Conversion } from './conversion.type.js';

@Resolver(() => Conversion)
export class ConversionResolver {
  constructor(private readonly conversions: ConversionService) {}

  @Query(() => Conversion, { nullable: true, description: 'A conversion the caller may see, else null.' })
  conversion(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<ConversionEntity | null> {
    return this.conversions.findVisible(ctx.principal, id);
  }

  @FieldResolver(() => MoneyType)
  transactionValue(@Root() conversion: ConversionEntity): MoneyType {
    return toMoneyType(money(conversion.transactionValueMinor, conversion.currency));
  }

  @FieldResolver(() => MerchantRef)
  merchant(@Root() conversion: ConversionEntity): MerchantRef {
    return { id: conversion.merchantId };
  }

  @FieldResolver(() => AgentRef, { nullable: true })
  agent(@Root() conversion: ConversionEntity): AgentRef | null {
    return conversion.agentId ? { id: conversion.agentId } : null;
  }
}
