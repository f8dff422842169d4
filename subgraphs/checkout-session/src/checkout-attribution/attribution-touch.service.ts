// attachCheckoutAttribution (issue 21 item 4): an agent attaches an affiliate attribution (ACP's
// affiliate_attribution: provider, token, touchpoint) to a checkout session it created (an ACP
// session, or its own agent checkout). One transaction, the session's row locked:
//   - the session is the caller's, OPEN, and not being paid (its code is fixed once committed);
//   - the verdict (token-verdict.ts: the ledger's verifier, then the session binding); a verified
//     code is then checked for replay under its agent session's row lock (the lock agent checkout
//     takes, so a concurrent checkout or attach of the same recommendation queues): a recommendation
//     held by another OPEN checkout session, or paid by a COMPLETE one, is AAP_REPLAYED;
//   - a verified code is bound: the session takes the recommendation's ids and its own AAP code
//     (signed for this session and its total, as agent checkout signs it), so the payment
//     commitment puts it, with the final amount, in the intent's aap_* metadata and the ledger
//     verifies it and creates the conversion and commission when the payment succeeds. Last touch
//     wins: a verified LAST always binds (replacing an earlier binding); a verified FIRST binds
//     only a session with no code yet;
//   - the touch is recorded (one row per touchpoint: the latest, except that a verified first touch
//     is never replaced) with a timeline entry (checkout.attribution_verified, or
//     checkout.attribution_flagged for an invalid or unverifiable one).
// A bad token is never an error: the answer carries the verdict, nothing is bound, nothing earned.
import { badUserInput, invalidStateTransition, money, refuseBidiControls, type AttributionSigner, type Principal } from '@handoff/shared';
import type { KeyObject } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { signAttribution } from '../agent-checkout/attribution.js';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { checkoutSessionNotFound } from '../checkout-session/checkout-session.errors.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import { isCommittedToPay } from '../checkout-lifecycle/lifecycle-status.js';
import { termsOf } from '../checkout-lifecycle/session-terms.js';
import { table } from '../events.js';
import { requiredId } from '../input.js';
import { checkoutSessionExpired } from '../session-change/session-change.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';
import { attributionTouchEntry, type TouchRow } from './attribution-touch.entries.js';

export type { TouchRow };
import { AttributionTouchpoint, AttributionTouchStatus } from './attribution-touch.type.js';
import { AAP_REPLAYED, verdictOf, type TokenVerdict } from './token-verdict.js';

export interface AttachAttributionSpec {
  checkoutSessionId: string;
  provider: string;
  token: string;
  touchpoint?: AttributionTouchpoint | null;
}

export interface AttachResult extends TouchRow {
  bound: boolean;
  session: CheckoutSessionEntity;
}

const MAX_TOKEN = 2000;

function validate(input: AttachAttributionSpec): { checkoutSessionId: string; provider: string; token: string; touchpoint: AttributionTouchpoint } {
  if (!input || typeof input !== 'object') throw badUserInput('input', 'is required.');
  const checkoutSessionId = requiredId(input.checkoutSessionId, 'checkoutSessionId');
  const provider = typeof input.provider === 'string' ? input.provider.trim() : '';
  if (!provider || provider.length > 200 || /[\u0000-\u001f\u007f]/.test(provider)) throw badUserInput('input.provider', 'must be 1 to 200 printable characters.');
  refuseBidiControls(provider, 'input.provider');
  const token = typeof input.token === 'string' ? input.token.trim() : '';
  if (!token || token.length > MAX_TOKEN) throw badUserInput('input.token', `must be 1 to ${MAX_TOKEN} characters.`);
  const touchpoint = input.touchpoint ?? AttributionTouchpoint.LAST;
  if (touchpoint !== AttributionTouchpoint.FIRST && touchpoint !== AttributionTouchpoint.LAST) throw badUserInput('input.touchpoint', 'must be FIRST or LAST.');
  return { checkoutSessionId, provider, token, touchpoint };
}

export class AttributionTouchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly signer: AttributionSigner,
    private readonly publicKeys: Map<string, KeyObject>,
  ) {}

  async attach(principal: Principal & { kind: 'AGENT' }, raw: AttachAttributionSpec): Promise<AttachResult> {
    const input = validate(raw);
    return this.dataSource.transaction(async (manager) => {
      const cs = await manager.findOne(CheckoutSessionEntity, { where: { id: input.checkoutSessionId, agentId: principal.agentId }, lock: { mode: 'pessimistic_write' } });
      if (!cs) throw checkoutSessionNotFound(input.checkoutSessionId);
      const status = effectiveStatus(cs);
      if (status === CheckoutSessionStatus.EXPIRED) throw checkoutSessionExpired(cs.id);
      if (status !== CheckoutSessionStatus.OPEN) throw invalidStateTransition(`Checkout session ${cs.id} is ${status}: attribution can no longer be attached.`, `checkout_session:${status}`);
      const [terms] = await termsOf(manager, [cs.id]);
      if (isCommittedToPay(cs, terms ?? null)) {
        throw invalidStateTransition('The session is being paid: attach attribution before paying.', 'checkout_session:payment_processing');
      }
      const lines = (await manager.query(`SELECT offer_id AS "offerId" FROM ${table('checkout_line_items')} WHERE checkout_session_id = $1 AND offer_id IS NOT NULL`, [cs.id])) as Array<{ offerId: string }>;
      let verdict = verdictOf(input.provider, input.token, {
        checkoutSessionId: cs.id, merchantId: cs.merchantId, agentId: principal.agentId, offerIds: new Set(lines.map((l) => l.offerId)),
      }, { issuer: this.signer.issuer, publicKeys: this.publicKeys });
      if (verdict.claims) verdict = await this.replayChecked(manager, cs.id, verdict);
      const at = new Date();
      let bound = false;
      if (verdict.claims) {
        const lastVerified = await this.verifiedLast(manager, cs.id);
        const binds = input.touchpoint === AttributionTouchpoint.LAST || (!cs.aapCode && !lastVerified);
        if (binds) {
          if (cs.recommendationId !== verdict.claims.recommendationId || !cs.aapCode) await this.bind(manager, cs, verdict.claims, at);
          bound = true;
        }
      }
      const touch: TouchRow = {
        checkoutSessionId: cs.id, touchpoint: input.touchpoint, provider: input.provider, status: verdict.status, reason: verdict.reason,
        recommendationId: verdict.claims?.recommendationId ?? null, at,
      };
      await manager.query(
        `INSERT INTO ${table('checkout_attribution_touches')} AS t (checkout_session_id, touchpoint, provider, status, reason, recommendation_id, agent_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (checkout_session_id, touchpoint) DO UPDATE
            SET provider = EXCLUDED.provider, status = EXCLUDED.status, reason = EXCLUDED.reason,
                recommendation_id = EXCLUDED.recommendation_id, agent_id = EXCLUDED.agent_id, at = EXCLUDED.at
          WHERE NOT (t.touchpoint = 'FIRST' AND t.status = 'VERIFIED')`,
        [cs.id, touch.touchpoint, touch.provider, touch.status, touch.reason, touch.recommendationId, principal.agentId, at],
      );
      await recordCheckoutChange(manager, [], [attributionTouchEntry(cs, touch, bound)]);
      return { ...touch, bound, session: cs };
    });
  }

  /** The session's recorded touches (a DataLoader batch): [first, last] per session. */
  async touchesOf(ids: readonly string[]): Promise<Array<{ first: TouchRow | null; last: TouchRow | null }>> {
    const rows = (await this.dataSource.query(
      `SELECT checkout_session_id AS "checkoutSessionId", touchpoint, provider, status, reason, recommendation_id AS "recommendationId", at
         FROM ${table('checkout_attribution_touches')} WHERE checkout_session_id = ANY($1)`,
      [[...ids]],
    )) as TouchRow[];
    return ids.map((id) => ({
      first: rows.find((r) => r.checkoutSessionId === id && r.touchpoint === AttributionTouchpoint.FIRST) ?? null,
      last: rows.find((r) => r.checkoutSessionId === id && r.touchpoint === AttributionTouchpoint.LAST) ?? null,
    }));
  }

  /**
   * AAP_REPLAYED when the code's recommendation is held by another OPEN checkout session or was
   * paid by a COMPLETE one. Under the agent session's row lock (agent checkout's), so a concurrent
   * attach or checkout of the same recommendation sees this one's binding.
   */
  private async replayChecked(manager: EntityManager, checkoutSessionId: string, verdict: TokenVerdict & { claims: object }): Promise<TokenVerdict> {
    const claims = verdict.claims!;
    const [rec] = (await manager.query(
      `SELECT r.id FROM ${table('agent_sessions')} s JOIN ${table('recommendations')} r ON r.agent_session_id = s.id
        WHERE s.id = $1 AND r.id = $2 AND r.offer_id = $3 AND r.merchant_id = $4 AND r.agent_id = $5
          FOR UPDATE OF s`,
      [claims.sessionId, claims.recommendationId, claims.offerId, claims.merchantId, claims.agentId],
    )) as Array<{ id: string }>;
    if (!rec) return { status: AttributionTouchStatus.INVALID, reason: 'AAP_BINDING_MISMATCH', claims: null };
    const [other] = (await manager.query(
      `SELECT id FROM ${table('checkout_sessions')} WHERE recommendation_id = $1 AND id <> $2 AND status IN ('OPEN', 'COMPLETE') LIMIT 1`,
      [claims.recommendationId, checkoutSessionId],
    )) as Array<{ id: string }>;
    return other ? { status: AttributionTouchStatus.INVALID, reason: AAP_REPLAYED, claims: null } : verdict;
  }

  private async verifiedLast(manager: EntityManager, checkoutSessionId: string): Promise<boolean> {
    const rows = (await manager.query(
      `SELECT 1 FROM ${table('checkout_attribution_touches')} WHERE checkout_session_id = $1 AND touchpoint = 'LAST' AND status = 'VERIFIED'`,
      [checkoutSessionId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** The session takes the recommendation and its own code (this session, its total; re-issued at commitment for what is paid). */
  private async bind(manager: EntityManager, cs: CheckoutSessionEntity, c: NonNullable<TokenVerdict['claims']>, at: Date): Promise<void> {
    const aapCode = signAttribution(this.signer, {
      recommendationId: c.recommendationId, sessionId: c.sessionId, checkoutSessionId: cs.id, offerId: c.offerId, merchantId: cs.merchantId,
      agentId: c.agentId, amount: money(cs.totalMinor, cs.currency), issuedAt: at, checkoutExpiresAt: cs.expiresAt,
    });
    await manager.query(
      `UPDATE ${table('checkout_sessions')} SET recommendation_id = $2, agent_session_id = $3, offer_id = $4, aap_code = $5, version = version + 1, updated_at = now()
        WHERE id = $1`,
      [cs.id, c.recommendationId, c.sessionId, c.offerId, aapCode],
    );
    Object.assign(cs, { recommendationId: c.recommendationId, agentSessionId: c.sessionId, offerId: c.offerId, aapCode, version: cs.version + 1 });
  }
}
