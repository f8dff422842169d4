// Expected failures about agent sessions and recommendations, with API.md codes.
import { ErrorCode, HandoffError, notFound } from '@handoff/shared';

export const sessionNotFound = (id: string) => notFound(ErrorCode.SESSION_NOT_FOUND, `Session not found: ${id}.`);
export const sessionExpired = (id: string) =>
  new HandoffError(ErrorCode.SESSION_EXPIRED, `Session expired: the recommendation window of ${id} has passed.`);
export const recommendationNotFound = (id: string) =>
  notFound(ErrorCode.RECOMMENDATION_NOT_FOUND, `Recommendation not found: ${id}.`);
