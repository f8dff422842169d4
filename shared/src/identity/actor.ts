// Who did something, as the timeline and the audit log record it: the principal's kind and an id
// (the API key's id for a merchant, admin or agent key; the checkout session for its hosted page;
// the service's or queue's name; the PSP event for a webhook). Never a secret.
import type { Principal } from './principal.js';

export const ACTOR_KINDS = ['merchant', 'admin', 'agent', 'client', 'service', 'psp_webhook', 'anonymous'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface Actor {
  kind: ActorKind;
  id: string;
}

/** The actor of a request made as `principal`. */
export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case 'ADMIN':
      return { kind: 'admin', id: principal.keyId };
    case 'MERCHANT':
      return { kind: 'merchant', id: principal.keyId };
    case 'AGENT':
      return { kind: 'agent', id: principal.keyId };
    case 'CLIENT':
      return { kind: 'client', id: principal.checkoutSessionId };
    case 'SERVICE':
      return { kind: 'service', id: principal.service };
    default:
      return { kind: 'anonymous', id: 'anonymous' };
  }
}

/** The actor of a request that records something against its caller: an anonymous caller acts on nothing (throws). */
export function knownActorOf(principal: Principal): Actor {
  if (principal.kind === 'ANONYMOUS') throw new Error('an anonymous caller acts on nothing');
  return actorOf(principal);
}

/** A PSP's signed webhook event (`<provider>:<event id>`). */
export const pspWebhookActor = (provider: string, eventId: string): Actor => ({ kind: 'psp_webhook', id: `${provider.toLowerCase()}:${eventId}` });

export const serviceActor = (name: string): Actor => ({ kind: 'service', id: name });

export function isActor(value: unknown): value is Actor {
  if (!value || typeof value !== 'object') return false;
  const a = value as Record<string, unknown>;
  return (
    typeof a.kind === 'string' &&
    (ACTOR_KINDS as readonly string[]).includes(a.kind) &&
    typeof a.id === 'string' &&
    a.id.length > 0 &&
    a.id.length <= 200
  );
}
