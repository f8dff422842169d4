// auditLog(filter, first, after): ADMIN only (a merchant key is FORBIDDEN), newest first.
import { ActorType, mapPage, type Page } from '@handoff/shared';
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import type { AuditLogService } from './audit-log.service.js';
import { AuditLogConnection, AuditLogEntry, AuditLogFilterInput } from './audit-log.type.js';

@Resolver()
export class AuditLogResolver {
  constructor(private readonly audit: AuditLogService) {}

  @Query(() => AuditLogConnection, { description: 'Admin: every state and configuration change with its actor, newest first.' })
  async auditLog(
    @Arg('filter', () => AuditLogFilterInput, { nullable: true }) filter: AuditLogFilterInput | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<Page<AuditLogEntry>> {
    const page = await this.audit.list(ctx.principal, filter ?? {}, { first, after });
    return mapPage(page, (e) => Object.assign(new AuditLogEntry(), { ...e, actor: ActorType.of(e.actor) }));
  }
}
