// The gateway's portal routes (gateway/src/portal) ask these, signed as the `gateway` SERVICE:
// sign-in, the session cookie's lookup, logout, and the invitation link. @inaccessible: not in the
// public graph (docs/internal-contracts.md).
import { requireKind } from '@handoff/shared';
import { Arg, Ctx, Directive, Mutation, Query, Resolver } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import type { MerchantUserService } from './merchant-user.service.js';
import { PortalInvitationViewType, PortalSessionLookupType, PortalSignInType, PortalUserType } from './merchant-user.type.js';
import type { PortalSessionService, SignedIn } from './portal-session.service.js';

const signInType = (s: SignedIn) => Object.assign(new PortalSignInType(), { token: s.token, sessionId: s.sessionId, user: PortalUserType.from(s.user) });

@Resolver()
export class PortalAuthResolver {
  constructor(
    private readonly users: MerchantUserService,
    private readonly sessions: PortalSessionService,
  ) {}

  @Mutation(() => PortalSignInType, { description: 'Internal: email and password → a new portal session (its token, once).' })
  @Directive('@inaccessible')
  async portalSignIn(
    @Arg('email', () => String) email: string,
    @Arg('password', () => String) password: string,
    @Arg('ip', () => String, { nullable: true }) ip: string | null,
    @Arg('userAgent', () => String, { nullable: true }) userAgent: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<PortalSignInType> {
    requireKind(ctx.principal, 'SERVICE');
    return signInType(await this.sessions.login({ email, password, ip, userAgent }));
  }

  @Mutation(() => PortalSessionLookupType, { nullable: true, description: 'Internal: a session cookie’s hash → its live session and user (null when none).' })
  @Directive('@inaccessible')
  async portalSessionLookup(@Arg('tokenHash', () => String) tokenHash: string, @Ctx() ctx: MerchantContext): Promise<PortalSessionLookupType | null> {
    requireKind(ctx.principal, 'SERVICE');
    const found = await this.sessions.resolve(tokenHash);
    return found && Object.assign(new PortalSessionLookupType(), { sessionId: found.sessionId, user: PortalUserType.from(found.user) });
  }

  @Mutation(() => Boolean, { description: 'Internal: logout (revokes the session of a cookie’s hash).' })
  @Directive('@inaccessible')
  async portalSignOut(@Arg('tokenHash', () => String) tokenHash: string, @Ctx() ctx: MerchantContext): Promise<boolean> {
    requireKind(ctx.principal, 'SERVICE');
    return this.sessions.logout(tokenHash);
  }

  @Query(() => PortalInvitationViewType, { description: 'Internal: what an invitation link shows.' })
  @Directive('@inaccessible')
  async portalInvitation(@Arg('tokenHash', () => String) tokenHash: string, @Ctx() ctx: MerchantContext): Promise<PortalInvitationViewType> {
    requireKind(ctx.principal, 'SERVICE');
    return Object.assign(new PortalInvitationViewType(), await this.users.invitation(tokenHash));
  }

  @Mutation(() => PortalSignInType, { description: 'Internal: accepts an invitation (a new user, signed in).' })
  @Directive('@inaccessible')
  async acceptPortalInvitation(
    @Arg('tokenHash', () => String) tokenHash: string,
    @Arg('name', () => String) name: string,
    @Arg('password', () => String) password: string,
    @Arg('ip', () => String, { nullable: true }) ip: string | null,
    @Arg('userAgent', () => String, { nullable: true }) userAgent: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<PortalSignInType> {
    requireKind(ctx.principal, 'SERVICE');
    return signInType(await this.users.accept(tokenHash, { name, password, ip, userAgent }));
  }
}
