// Reads of checkout sessions, always through the caller's tenancy scope.
import { requireAuthenticated, type Principal } from '@handoff/shared';
import type { DataSource, FindOptionsWhere, Repository } from 'typeorm';
import { CheckoutSessionEntity } from './checkout-session.entity.js';

type Scope = FindOptionsWhere<CheckoutSessionEntity>;

/**
 * The sessions a principal may see, as a where clause: admin and Handoff's services all; a
 * merchant its own; an agent those its checkouts created; the hosted page its one session.
 * Anonymous → UNAUTHENTICATED.
 */
export function checkoutSessionScope(principal: Principal): Scope {
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
      return { id: p.checkoutSessionId };
  }
}

export class CheckoutSessionService {
  private readonly sessions: Repository<CheckoutSessionEntity>;

  constructor(
    dataSource: DataSource,
    private readonly publicBaseUrl: string,
  ) {
    this.sessions = dataSource.getRepository(CheckoutSessionEntity);
  }

  /** The session, or null when it does not exist or the principal may not see it. */
  async findVisible(principal: Principal, id: string): Promise<CheckoutSessionEntity | null> {
    const scope = checkoutSessionScope(principal);
    // A scope that pins an id (the hosted page's) must be the same id, not overwritten by it.
    if (scope.id !== undefined && scope.id !== id) return null;
    return this.sessions.findOneBy({ ...scope, id });
  }

  /** The hosted checkout page of a session, on the gateway's public URL. */
  hostedPageUrl(sessionId: string): string {
    return `${this.publicBaseUrl}/checkout/${encodeURIComponent(sessionId)}`;
  }
}
