// Reads of conversions, always through the caller's tenancy scope.
import { requireAuthenticated, type Principal } from '@handoff/shared';
import type { DataSource, FindOptionsWhere, Repository } from 'typeorm';
import { ConversionEntity } from './conversion.entity.js';

type Scope = FindOptionsWhere<ConversionEntity>;

/**
 * The conversions a principal may see, as a where clause, or null for none: admin and
 * Handoff's services all; a merchant its own; an agent those it earned. The hosted page sees
 * none. Anonymous → UNAUTHENTICATED.
 */
export function conversionScope(principal: Principal): Scope | null {
  const p = requireAuthenticated(principal);
  switch (p.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return {};
    case 'MERCHANT':
      return { merchantId: p.merchantId };
    case 'AGENT':
      return { agentId: p.agentId };
    case 'CLIENT':
      return null;
  }
}

export class ConversionService {
  private readonly conversions: Repository<ConversionEntity>;

  constructor(dataSource: DataSource) {
    this.conversions = dataSource.getRepository(ConversionEntity);
  }

  /** The conversion, or null when it does not exist or the principal may not see it. */
  async findVisible(principal: Principal, id: string): Promise<ConversionEntity | null> {
    const scope = conversionScope(principal);
    if (!scope) return null;
    return this.conversions.findOneBy({ ...scope, id });
  }
}
