// A document whose operation cannot be chosen (unknown operationName, or several operations and
// no name). Apollo Server leaves that to the executor, and @apollo/gateway's executor throws an
// INVALID_GRAPHQL error that Apollo answers as HTTP 500. Refuse it as a 400 before execution.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind } from 'graphql';
import { ErrorCode } from '@handoff/shared/errors/codes';

export function operationResolutionPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          if (ctx.operation) return;
          const name = ctx.request.operationName;
          const operations = ctx.document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
          const message = name
            ? `Unknown operation named "${name}".`
            : operations > 1
              ? 'Must provide operation name if query contains multiple operations.'
              : 'The document contains no operation.';
          throw new GraphQLError(message, {
            extensions: { code: ErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } },
          });
        },
      };
    },
  };
}
