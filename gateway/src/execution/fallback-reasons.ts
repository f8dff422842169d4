// Why Handoff's planner left an operation to @apollo/gateway, told once per reason: the metric
// (`handoff_gateway_plans_total{planner="apollo"}`) says how often, this says what for. Reasons
// come from the schema (`abstract type Node`) and, for a few, from the operation (an alias), so
// the set remembered is bounded; past it, reasons are no longer logged.
import type { Logger } from '@handoff/shared/logging/logger';

export const MAX_REASONS_LOGGED = 200;

export function fallbackReasonLogger(logger: Pick<Logger, 'info'>, max = MAX_REASONS_LOGGED): (reason: string) => void {
  const told = new Set<string>();
  return (reason) => {
    if (told.size >= max || told.has(reason)) return;
    told.add(reason);
    logger.info({ reason }, "operation left to @apollo/gateway: Handoff's planner does not plan it");
  };
}
