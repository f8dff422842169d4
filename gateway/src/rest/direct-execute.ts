// The REST routes' operations (their own fixed texts, `GatewayRouteDeps.execute`) run by Handoff's
// executor without Apollo Server's request pipeline, as the /graphql fast path runs a client's
// (http/graphql-fast-path.ts): the same prepared operation (parsed, validated with the gateway's
// rules and planned once per text), the same variable checks (NUL refused, coercion), the same
// error formatting (a code on every error, the gateway's formatError: masking, metrics, the
// request id on what is logged). Apollo Server's pipeline cost ~0.3-0.5 ms of the gateway's CPU on
// every REST call (bench/RESULTS.md, issue 20). Whatever that path does not take goes to Apollo
// Server unchanged (`viaApollo`): no executor (GATEWAY_EXECUTOR=apollo), a text Handoff's planner
// leaves to @apollo/gateway, variables it refuses (Apollo answers them), and callers held to an
// Apollo plugin's policy — a client secret (its allow-list) and a portal user (its role policy).
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { encodePrincipal } from '@handoff/shared/identity/signing';
import type { GatewayContext } from '../context.js';
import type { HandoffExecutor } from '../execution/handoff-executor.js';
import type { FormatError } from '../execution/http-response.js';
import { coerceVariables } from '../execution/prepared.js';
import { tagErrorsWithRequestId } from '../graphql/format-error.js';
import { nulPath } from '../graphql/refuse-nul.js';
import type { GatewayRouteDeps } from '../route-deps.js';

type Execute = GatewayRouteDeps['execute'];

export function directExecute(opts: { executor: HandoffExecutor | undefined; formatError: FormatError; viaApollo: Execute; newRequestId: () => string }): Execute {
  const { executor, formatError, viaApollo } = opts;
  if (!executor) return viaApollo;
  return (async (op) => {
    const { principal } = op;
    if (principal.kind === 'CLIENT' || (principal.kind === 'MERCHANT' && principal.userRole)) return viaApollo(op);
    const operation = executor.lookupOrPlan(op.query, undefined);
    if (!operation) return viaApollo(op);
    const variables = op.variables ?? {};
    const coercion = nulPath(variables, '$') === undefined ? coerceVariables(operation, variables) : undefined;
    if (!coercion?.coerced) return viaApollo(op);
    const context: GatewayContext = {
      principal,
      principalHeader: encodePrincipal(principal),
      requestId: op.requestId ?? opts.newRequestId(),
      ...(op.idempotencyKey !== undefined ? { idempotencyKey: op.idempotencyKey } : {}),
    };
    const result = await executor.execute(operation, variables, coercion.coerced, context);
    if (!result.errors?.length) return { data: result.data as never };
    tagErrorsWithRequestId(result.errors, context.requestId);
    return { data: (result.data ?? null) as never, errors: result.errors.map((raw) => formatted(raw, formatError)) };
  }) as Execute;
}

/** An error as Apollo Server's executeOperation answers it: a code (INTERNAL_SERVER_ERROR when none), `extensions.http` dropped, through formatError. */
function formatted(raw: unknown, formatError: FormatError): GraphQLFormattedError {
  const error = raw instanceof GraphQLError ? raw : raw instanceof Error ? new GraphQLError(raw.message, { originalError: raw }) : new GraphQLError(`Unexpected error value: ${String(raw)}`);
  const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR' };
  delete extensions.http;
  return formatError({ ...error.toJSON(), extensions }, raw);
}
