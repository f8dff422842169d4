// Conversion flows: the milestones a conversion goes through and the one after which the
// commission becomes payable. Seed 001's four flow types are presets; `custom` takes its own
// steps. Pure: no database, no GraphQL.
import { badUserInput } from '@handoff/shared';

export const FLOW_PRESETS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  instant_checkout: Object.freeze(['payment_received', 'order_confirmed']),
  quote_application: Object.freeze(['quote_requested', 'application_submitted', 'application_approved', 'payment_received']),
  install_activation: Object.freeze(['order_placed', 'install_scheduled', 'install_completed', 'service_activated']),
  policy_start: Object.freeze(['quote_requested', 'policy_issued', 'cooling_off_complete', 'first_bill_paid']),
});

export const CUSTOM_FLOW_TYPE = 'custom';
export const DEFAULT_FLOW_TYPE = 'instant_checkout';
export const MAX_FLOW_STEPS = 20;
const STEP_NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const MAX_STEP_LENGTH = 64;

export interface ConversionFlow {
  type: string;
  steps: string[];
  /** Always one of `steps`; the last step unless chosen. */
  payableAfter: string;
}

export interface ConversionFlowSpec {
  type?: string | null;
  steps?: readonly string[] | null;
  payableAfter?: string | null;
}

export const flowTypes = (): string[] => [...Object.keys(FLOW_PRESETS), CUSTOM_FLOW_TYPE];

/** The flow a spec describes (the default flow for none); throws BAD_USER_INPUT naming the field. */
export function resolveConversionFlow(spec: ConversionFlowSpec | null | undefined, field = 'conversionFlow'): ConversionFlow {
  const type = spec?.type ?? DEFAULT_FLOW_TYPE;
  const given = spec?.steps ?? null;
  let steps: string[];
  if (type === CUSTOM_FLOW_TYPE) {
    if (!given) throw badUserInput(`${field}.steps`, 'are required for a custom flow.');
    steps = customSteps(given, `${field}.steps`);
  } else {
    const preset = Object.hasOwn(FLOW_PRESETS, type) ? FLOW_PRESETS[type] : undefined;
    if (!preset) throw badUserInput(`${field}.type`, `must be one of ${flowTypes().join(', ')}.`);
    if (given && !sameSteps(given, preset)) {
      throw badUserInput(
        `${field}.steps`,
        `must be omitted for the ${type} flow (its steps are ${preset.join(', ')}); use type "custom" for your own steps.`,
      );
    }
    steps = [...preset];
  }
  const payableAfter = spec?.payableAfter ?? steps[steps.length - 1]!;
  if (!steps.includes(payableAfter)) {
    throw badUserInput(`${field}.payableAfter`, `must be one of the flow's steps: ${steps.join(', ')}.`);
  }
  return { type, steps, payableAfter };
}

function customSteps(steps: readonly string[], field: string): string[] {
  if (steps.length < 1 || steps.length > MAX_FLOW_STEPS) {
    throw badUserInput(field, `must list 1 to ${MAX_FLOW_STEPS} steps.`);
  }
  const seen = new Set<string>();
  steps.forEach((step, i) => {
    if (typeof step !== 'string' || step.length > MAX_STEP_LENGTH || !STEP_NAME.test(step)) {
      throw badUserInput(`${field}[${i}]`, `must be a snake_case name of at most ${MAX_STEP_LENGTH} characters.`);
    }
    if (seen.has(step)) throw badUserInput(`${field}[${i}]`, `repeats the step "${step}".`);
    seen.add(step);
  });
  return [...steps];
}

function sameSteps(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
