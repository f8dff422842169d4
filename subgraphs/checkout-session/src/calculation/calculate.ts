// The engine's two entry points over one pipeline (calculation.pipeline.ts):
// - calculate(input): pure and synchronous, the built-in providers only. Same input, same output,
//   byte for byte (JSON.stringify of the result).
// - calculateWith(input, providers): each stage through the merchant's configured provider.
//   An HTTP provider that fails (timeout, non-2xx, an answer that is not valid) falls back as
//   configured: BUILT_IN → the built-in result is used and the calculation's `providers` entry
//   says fallbackUsed with the failure; FAIL → PROVIDER_UNAVAILABLE is thrown (nothing written).
import type { Calculation, CalculationInput, ProviderConcern, ProviderUse } from './calculation.types.js';
import { ProviderFailure, providerUnavailable } from './calculation.errors.js';
import { calculationPipeline, type PipelineOutput, type StageCall, type StageResult } from './calculation.pipeline.js';
import type { PromotionStageResult, ShippingStageResult, TaxStageResult } from './stages.js';
import { evaluatePromotions } from '../promotion/promotion.evaluate.js';
import type { PromotionProvider } from '../promotion/promotion.provider.js';
import { builtInShippingOptions } from '../shipping/shipping.options.js';
import type { ShippingProvider } from '../shipping/shipping.provider.js';
import { builtInTax } from '../tax/tax.rates.js';
import type { TaxProvider } from '../tax/tax.provider.js';

export interface Providers {
  tax: TaxProvider;
  shipping: ShippingProvider;
  promotions: PromotionProvider;
  /** Per concern, what to do when the provider fails; absent: FAIL. */
  fallback?: Partial<Record<ProviderConcern, 'BUILT_IN' | 'FAIL'>>;
}

const CONCERN: Record<StageCall['stage'], ProviderConcern> = { promotions: 'promotions', shipping: 'shipping', tax: 'tax' };

function builtIn(call: StageCall): StageResult {
  switch (call.stage) {
    case 'promotions':
      return evaluatePromotions(call.request);
    case 'shipping':
      return builtInShippingOptions(call.request);
    case 'tax':
      return builtInTax(call.request);
  }
}

const withProviders = (out: PipelineOutput, providers: ProviderUse[]): Calculation => {
  const { rounding, ...rest } = out;
  return { ...rest, providers, rounding };
};

const builtInUse = (concern: ProviderConcern): ProviderUse => ({ concern, source: 'BUILT_IN', fallbackUsed: false, failure: null });

/** The pure core: every stage built in. */
export function calculate(input: CalculationInput): Calculation {
  const run = calculationPipeline(input);
  let step = run.next();
  const uses = new Map<ProviderConcern, ProviderUse>();
  while (!step.done) {
    uses.set(CONCERN[step.value.stage], builtInUse(CONCERN[step.value.stage]));
    step = run.next(builtIn(step.value));
  }
  return withProviders(step.value, [...uses.values()]);
}

async function ask(call: StageCall, providers: Providers): Promise<StageResult> {
  switch (call.stage) {
    case 'promotions':
      return (await providers.promotions.evaluate(call.request)) as PromotionStageResult;
    case 'shipping':
      return (await providers.shipping.shippingOptions(call.request)) as ShippingStageResult;
    case 'tax':
      return (await providers.tax.calculateTax(call.request)) as TaxStageResult;
  }
}

const kindOf = (call: StageCall, p: Providers) => (call.stage === 'promotions' ? p.promotions : call.stage === 'shipping' ? p.shipping : p.tax).kind;

/** The calculation with each stage through `providers`, falling back as configured. */
export async function calculateWith(input: CalculationInput, providers: Providers): Promise<Calculation> {
  const run = calculationPipeline(input);
  let step = run.next();
  const uses = new Map<ProviderConcern, ProviderUse>();
  while (!step.done) {
    const call = step.value;
    const concern = CONCERN[call.stage];
    let result: StageResult;
    try {
      result = await ask(call, providers);
      uses.set(concern, { concern, source: kindOf(call, providers), fallbackUsed: false, failure: null });
    } catch (err) {
      if (!(err instanceof ProviderFailure)) throw err;
      if ((providers.fallback?.[concern] ?? 'FAIL') === 'FAIL') throw providerUnavailable(concern, err.reason);
      result = builtIn(call);
      uses.set(concern, { concern, source: 'BUILT_IN', fallbackUsed: true, failure: err.reason });
    }
    step = run.next(result);
  }
  return withProviders(step.value, [...uses.values()]);
}
