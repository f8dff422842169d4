// Expected failures about agents and builders, with API.md codes.
import { ErrorCode, invalidStateTransition, notFound } from '@handoff/shared';

export const agentNotFound = (id: string) => notFound(ErrorCode.AGENT_NOT_FOUND, `Agent ${id} was not found.`);
export const agentHasBuilder = (builderName: string) =>
  invalidStateTransition(`This agent already has the builder "${builderName}".`, 'agent_has_builder');
