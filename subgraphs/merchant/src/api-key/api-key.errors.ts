// Expected failures about API keys, with API.md codes.
import { ErrorCode, notFound } from '@handoff/shared';

export const apiKeyNotFound = (id: string) => notFound(ErrorCode.API_KEY_NOT_FOUND, `API key ${id} was not found.`);
