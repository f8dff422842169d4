// Resolves `{ __typename: "Recommendation", id }` references (a conversion's recommendation),
// filtered by the caller exactly as the by-id query is.
import type { ReferenceResolver } from '@handoff/shared';
import type { CheckoutContext } from '../context.js';
import type { RecommendationService } from './recommendation.service.js';

export const recommendationReference =
  (recommendations: RecommendationService): ReferenceResolver<CheckoutContext> =>
  (reference, ctx) =>
    typeof reference.id === 'string' ? recommendations.findVisible(ctx.principal, reference.id) : null;
