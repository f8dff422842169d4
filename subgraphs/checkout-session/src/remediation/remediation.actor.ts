// Who recorded a failure, resolved it or wrote a note: the principal's kind and an id (the API
// key's id for a merchant or admin key, the service's name for Handoff's own). Never a secret.
import type { Principal } from '@handoff/shared';

export type ActorKind = 'merchant' | 'admin' | 'agent' | 'client' | 'service' | 'psp_webhook';

export interface Actor {
  kind: ActorKind;
  id: string;
}

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
      throw new Error('an anonymous caller acts on nothing');
  }
}

export const serviceActor = (name: string): Actor => ({ kind: 'service', id: name });
