// API key mutations and queries, and the gateway's internal key lookup (@inaccessible, SERVICE only).
import { idempotencyKeyOf, mapPage, requireKind, type Page } from '@handoff/shared';
import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import type { ApiKeyService } from './api-key.service.js';
import { ApiKeyConnection, ApiKeyPrincipalType, ApiKeyType, CreateApiKeyInput, CreatedApiKeyType } from './api-key.type.js';

@Resolver()
export class ApiKeyResolver {
  constructor(private readonly service: ApiKeyService) {}

  @Mutation(() => CreatedApiKeyType, { description: 'Admin. The key is in the result only: store it now (a retry with the same idempotencyKey answers the same key).' })
  async createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<CreatedApiKeyType> {
    requireKind(ctx.principal, 'ADMIN');
    const created = await this.service.create(input, ctx.principal, idempotencyKeyOf(ctx, idempotencyKey));
    return Object.assign(new CreatedApiKeyType(), { key: created.key, apiKey: ApiKeyType.from(created.apiKey) });
  }

  @Mutation(() => Boolean, { description: 'Admin: any key; a merchant: its own merchant keys.' })
  async revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: MerchantContext): Promise<boolean> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    return this.service.revoke(ctx.principal, id);
  }

  @Query(() => ApiKeyConnection, { description: 'Admin: all keys; a merchant: its own merchant keys.' })
  async apiKeys(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<Page<ApiKeyType>> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'SERVICE');
    return mapPage(await this.service.list(ctx.principal, { first, after }), ApiKeyType.from);
  }

  @Query(() => ApiKeyPrincipalType, { nullable: true, description: 'Internal: the gateway resolves a key hash. Null for unknown or revoked keys.' })
  @Directive('@inaccessible')
  async apiKeyPrincipal(@Arg('keyHash', () => String) keyHash: string, @Ctx() ctx: MerchantContext): Promise<ApiKeyPrincipalType | null> {
    requireKind(ctx.principal, 'SERVICE');
    const found = await this.service.principalForHash(keyHash);
    return found && Object.assign(new ApiKeyPrincipalType(), found);
  }
}
