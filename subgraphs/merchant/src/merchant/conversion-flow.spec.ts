import { describe, expect, it } from 'vitest';
import { badField } from '../../../../test/support/errors.js';
import { FLOW_PRESETS, resolveConversionFlow } from './conversion-flow.js';

describe('FLOW_PRESETS', () => {
  it("are seed 001's four flows", () => {
    expect(FLOW_PRESETS).toEqual({
      instant_checkout: ['payment_received', 'order_confirmed'],
      quote_application: ['quote_requested', 'application_submitted', 'application_approved', 'payment_received'],
      install_activation: ['order_placed', 'install_scheduled', 'install_completed', 'service_activated'],
      policy_start: ['quote_requested', 'policy_issued', 'cooling_off_complete', 'first_bill_paid'],
    });
    expect(Object.isFrozen(FLOW_PRESETS.instant_checkout)).toBe(true);
  });
});

describe('resolveConversionFlow', () => {
  it('defaults to instant_checkout, payable after its last step', () => {
    expect(resolveConversionFlow(undefined)).toEqual({
      type: 'instant_checkout',
      steps: ['payment_received', 'order_confirmed'],
      payableAfter: 'order_confirmed',
    });
    expect(resolveConversionFlow(null)).toEqual(resolveConversionFlow({ type: 'instant_checkout' }));
  });

  it.each(Object.keys(FLOW_PRESETS))('takes the %s preset by type', (type) => {
    const flow = resolveConversionFlow({ type });
    expect(flow.steps).toEqual(FLOW_PRESETS[type]);
    expect(flow.payableAfter).toBe(FLOW_PRESETS[type]!.at(-1));
  });

  it('returns a copy, never the frozen preset', () => {
    const flow = resolveConversionFlow({ type: 'policy_start' });
    flow.steps.push('x');
    expect(FLOW_PRESETS.policy_start).toHaveLength(4);
  });

  it('accepts a chosen payableAfter among the steps', () => {
    expect(resolveConversionFlow({ type: 'policy_start', payableAfter: 'policy_issued' }).payableAfter).toBe('policy_issued');
  });

  it('accepts a preset restated with its own steps', () => {
    expect(resolveConversionFlow({ type: 'instant_checkout', steps: ['payment_received', 'order_confirmed'] }).type).toBe(
      'instant_checkout',
    );
  });

  it('refuses other steps for a preset', () => {
    expect(badField(() => resolveConversionFlow({ type: 'instant_checkout', steps: ['order_confirmed', 'payment_received'] }))).toBe(
      'conversionFlow.steps',
    );
  });

  it('refuses unknown types, including prototype keys', () => {
    for (const type of ['express', 'Instant_Checkout', 'toString', '__proto__', '']) {
      expect(badField(() => resolveConversionFlow({ type }))).toBe('conversionFlow.type');
    }
  });

  it('refuses payableAfter outside the steps', () => {
    expect(badField(() => resolveConversionFlow({ type: 'instant_checkout', payableAfter: 'policy_issued' }))).toBe(
      'conversionFlow.payableAfter',
    );
  });

  describe('custom', () => {
    it('takes its own steps', () => {
      expect(resolveConversionFlow({ type: 'custom', steps: ['lead', 'signed_contract', 'paid_2'], payableAfter: 'signed_contract' })).toEqual({
        type: 'custom',
        steps: ['lead', 'signed_contract', 'paid_2'],
        payableAfter: 'signed_contract',
      });
    });

    it('allows 1 and 20 steps', () => {
      expect(resolveConversionFlow({ type: 'custom', steps: ['done'] }).payableAfter).toBe('done');
      const twenty = Array.from({ length: 20 }, (_, i) => `step_${i}`);
      expect(resolveConversionFlow({ type: 'custom', steps: twenty }).steps).toHaveLength(20);
    });

    it('needs steps', () => {
      expect(badField(() => resolveConversionFlow({ type: 'custom' }))).toBe('conversionFlow.steps');
      expect(badField(() => resolveConversionFlow({ type: 'custom', steps: [] }))).toBe('conversionFlow.steps');
    });

    it('refuses more than 20 steps', () => {
      const steps = Array.from({ length: 21 }, (_, i) => `step_${i}`);
      expect(badField(() => resolveConversionFlow({ type: 'custom', steps }))).toBe('conversionFlow.steps');
    });

    it('refuses repeated steps, naming the repeat', () => {
      expect(badField(() => resolveConversionFlow({ type: 'custom', steps: ['a', 'b', 'a'] }))).toBe('conversionFlow.steps[2]');
    });

    it.each(['Paid', 'paid now', 'paid-now', '1st_step', '_paid', 'paid_', 'paid__now', '', 'a'.repeat(65)])(
      'refuses the step name %j',
      (step) => {
        expect(badField(() => resolveConversionFlow({ type: 'custom', steps: ['ok', step] }))).toBe('conversionFlow.steps[1]');
      },
    );
  });
});
