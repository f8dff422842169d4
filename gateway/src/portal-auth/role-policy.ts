// What a portal user's role may run, enforced at the gateway before anything is planned
// (docs/portal-auth.md): an ANALYST no mutation but ending its own sessions; user and API key
// management only an OWNER.
// An Apollo Server plugin, so it holds for every operation Apollo Server runs: /graphql over HTTP
// (the fast path hands a user's requests to Apollo Server) and queries and mutations over
// graphql-ws (which run through Apollo Server too). The merchant subgraph checks owners again.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorCode } from '@handoff/shared/errors/codes';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayContext } from '../context.js';

/** Root fields only an owner may select (user and API key management). */
export const OWNER_ONLY_ROOT_FIELDS: ReadonlySet<string> = new Set([
  'merchantUsers', 'merchantUserInvitations', 'inviteMerchantUser', 'withdrawMerchantUserInvitation', 'changeMerchantUserRole', 'removeMerchantUser',
  'apiKeys', 'createApiKey', 'revokeApiKey',
]);

/** Mutations every portal user may run, an analyst too: they act on the caller's own sessions only. */
export const SELF_SERVICE_MUTATIONS: ReadonlySet<string> = new Set(['revokePortalSession', '__typename']);

const refusal = (message: string) => new GraphQLError(message, { extensions: { code: ErrorCode.ROLE_FORBIDDEN, http: { status: 403 } } });

function rootFieldNames(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, out: Set<string>, seen = new Set<string>()): Set<string> {
  for (const s of selectionSet.selections) {
    if (s.kind === Kind.FIELD) out.add(s.name.value);
    else if (s.kind === Kind.INLINE_FRAGMENT) rootFieldNames(s.selectionSet, fragments, out, seen);
    else if (s.kind === Kind.FRAGMENT_SPREAD && !seen.has(s.name.value)) {
      seen.add(s.name.value);
      const f = fragments[s.name.value];
      if (f) rootFieldNames(f.selectionSet, fragments, out, seen);
    }
  }
  return out;
}

/** The refusal of `operation` for a portal user's `principal`, or undefined (API keys: never). */
export function roleRefusal(principal: Principal, operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): GraphQLError | undefined {
  if (principal.kind !== 'MERCHANT' || !principal.userRole) return undefined;
  if (principal.userRole === 'OWNER') return undefined;
  const roots = [...rootFieldNames(operation.selectionSet, fragments, new Set())];
  if (principal.userRole === 'ANALYST' && operation.operation === 'mutation' && !roots.every((f) => SELF_SERVICE_MUTATIONS.has(f))) {
    return refusal('An analyst only reads: ask an owner or a developer to make this change.');
  }
  const owned = roots.filter((f) => OWNER_ONLY_ROOT_FIELDS.has(f));
  return owned.length ? refusal(`Only an owner may use ${owned.join(', ')}.`) : undefined;
}

export function portalRolePlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          if (!contextValue?.principal || !operation) return;
          const fragments = Object.fromEntries(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          const refused = roleRefusal(contextValue.principal, operation, fragments);
          if (refused) throw refused;
        },
      };
    },
  };
}
