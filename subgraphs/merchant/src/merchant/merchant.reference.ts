// Resolves `{ __typename: "Merchant", id }` references from other subgraphs, batched per
// request. The owning subgraph authorized the parent, so agents and the hosted page may read a
// referred merchant (its connector stays hidden); a merchant may resolve only itself.
import type { ReferenceResolver } from '@handoff/shared';
import type { MerchantContext } from '../context.js';
import { MerchantType } from './merchant.type.js';

export const resolveMerchantReference: ReferenceResolver<MerchantContext> = async (reference, ctx) => {
  if (typeof reference.id !== 'string') return null;
  const merchant = await ctx.loaders.merchantRefs.load(reference.id);
  return merchant && MerchantType.from(merchant);
};
