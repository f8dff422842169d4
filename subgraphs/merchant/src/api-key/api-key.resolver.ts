// API key mutations and queries, and the gateway's internal key lookup (@inaccessible, SERVICE only).
import { badUserInput, forbidden, idempotencyKeyOf, mapPage, requireKind, type Page, type Principal } from '@handoff/shared';
import { roleForbidden } from '../merchant-user/merchant-user.errors.js';
import { ApiKeyRole } from './api-key.role.js';
import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import type { ApiKeyService } from './api-key.service.js';
import { ApiKeyConnection, ApiKeyPrincipalType, ApiKeyType, CreateApiKeyInput, CreatedApiKeyType } from './api-key.type.js';

@Resolver()
export class ApiKeyResolver {
  constructor(private readonly service: ApiKeyService) {}

  @Mutation(() => CreatedApiKeyType, {
    description: 'Admin; or a portal owner, for MERCHANT keys of its own merchant. The key is in the result only: store it now (a retry with the same idempotencyKey answers the same key).',
  })
  async createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<CreatedApiKeyType> {
    const p = requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    if (p.kind === 'MERCHANT') {
      // A portal owner makes machine keys for its own merchant only; an API key makes none.
      if (!p.userRole) throw forbidden();
      if (p.userRole !== 'OWNER') throw roleForbidden('Only an owner manages API keys.');
      if (input.role !== ApiKeyRole.MERCHANT) throw badUserInput('role', 'an owner creates MERCHANT keys only.');
      if (input.agentId) throw badUserInput('agentId', 'must be omitted for a MERCHANT key.');
      if (input.merchantId && input.merchantId !== p.merchantId) throw forbidden();
      input = Object.assign(new CreateApiKeyInput(), input, { merchantId: p.merchantId });
    }
    const created = await this.service.create(input, ctx.principal, idempotencyKeyOf(ctx, idempotencyKey));
    return Object.assign(new CreatedApiKeyType(), { key: created.key, apiKey: ApiKeyType.from(created.apiKey) });
  }

  @Mutation(() => Boolean, { description: 'Admin: any key; a merchant: its own merchant keys.' })
  async revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: MerchantContext): Promise<boolean> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    requireKeyManager(ctx.principal);
    return this.service.revoke(ctx.principal, id);
  }

  @Query(() => ApiKeyConnection, { description: 'Admin: all keys; a merchant: its own merchant keys.' })
  async apiKeys(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<Page<ApiKeyType>> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'SERVICE');
    requireKeyManager(ctx.principal);
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

/** A portal user manages API keys only as an owner (the gateway refuses others first). */
function requireKeyManager(principal: Principal): void {
  if (principal.kind === 'MERCHANT' && principal.userRole && principal.userRole !== 'OWNER') throw roleForbidden('Only an owner manages API keys.');
}
