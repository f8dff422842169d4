import { describe, expect, it } from 'vitest';
import { actorOf, knownActorOf, serviceActor } from './actor.js';
import { anonymous } from './principal.js';

describe('actors', () => {
  it('names a key by its id, a hosted page by its session, a service by its name', () => {
    expect(actorOf({ kind: 'MERCHANT', keyId: 'key_m', merchantId: 'mer_1' })).toEqual({ kind: 'merchant', id: 'key_m' });
    expect(actorOf({ kind: 'AGENT', keyId: 'key_a', agentId: 'agt_1' })).toEqual({ kind: 'agent', id: 'key_a' });
    expect(actorOf({ kind: 'CLIENT', checkoutSessionId: 'cs_1' })).toEqual({ kind: 'client', id: 'cs_1' });
    expect(actorOf({ kind: 'SERVICE', service: 'payment-intent' })).toEqual(serviceActor('payment-intent'));
    expect(actorOf(anonymous)).toEqual({ kind: 'anonymous', id: 'anonymous' });
  });

  it('knownActorOf: the same actor, but an anonymous caller records nothing', () => {
    expect(knownActorOf({ kind: 'ADMIN', keyId: 'key_x' })).toEqual({ kind: 'admin', id: 'key_x' });
    expect(() => knownActorOf(anonymous)).toThrow('an anonymous caller acts on nothing');
  });
});
