// __resolveReference for Conversion: other subgraphs' `{ id }` references, filtered by the
// caller exactly as the by-id query is.
import type { ReferenceResolver, SubgraphContext } from '@handoff/shared';
import type { ConversionService } from './conversion.service.js';

export function conversionReference(conversions: ConversionService): ReferenceResolver<SubgraphContext> {
  return (reference, ctx) => {
    const { id } = reference;
    return typeof id === 'string' ? conversions.findVisible(ctx.principal, id) : null;
  };
}
