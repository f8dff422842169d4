// The portal's accounts in the graph (docs/portal-auth.md): the signed-in user, the owner's user
// management, the user's own sessions. Rules and tenancy are in the services.
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import type { MerchantUserService } from './merchant-user.service.js';
import { MerchantUserRole } from './merchant-user.role.js';
import { InviteMerchantUserInput, MerchantUserInvitationResultType, MerchantUserInvitationType, MerchantUserType, PortalSessionType } from './merchant-user.type.js';
import type { PortalSessionService } from './portal-session.service.js';

@Resolver()
export class MerchantUserResolver {
  constructor(
    private readonly users: MerchantUserService,
    private readonly sessions: PortalSessionService,
    /** Where the portal is served (PUBLIC_BASE_URL): invitation links point there. */
    private readonly publicBaseUrl: string,
  ) {}

  @Query(() => MerchantUserType, { nullable: true, description: 'The signed-in portal user; null for an API key.' })
  async viewerUser(@Ctx() ctx: MerchantContext): Promise<MerchantUserType | null> {
    const user = await this.users.viewer(ctx.principal);
    return user && MerchantUserType.from(user);
  }

  @Query(() => [MerchantUserType], { description: 'Owner (an admin names the merchant): the merchant’s portal users.' })
  async merchantUsers(@Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null, @Ctx() ctx: MerchantContext): Promise<MerchantUserType[]> {
    return (await this.users.list(ctx.principal, merchantId)).map(MerchantUserType.from);
  }

  @Mutation(() => MerchantUserInvitationResultType, { description: 'Owner (or admin): a one-time invitation link, valid 7 days, shown this once.' })
  async inviteMerchantUser(@Arg('input', () => InviteMerchantUserInput) input: InviteMerchantUserInput, @Ctx() ctx: MerchantContext): Promise<MerchantUserInvitationResultType> {
    const { invitation, token } = await this.users.invite(ctx.principal, input);
    return Object.assign(new MerchantUserInvitationResultType(), {
      invitation: MerchantUserInvitationType.from(invitation),
      acceptUrl: `${this.publicBaseUrl}/portal/invitations/${token}`,
    });
  }

  @Query(() => [MerchantUserInvitationType], { description: 'Owner (an admin names the merchant): invitations not yet accepted, withdrawn or expired, newest first.' })
  async merchantUserInvitations(@Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null, @Ctx() ctx: MerchantContext): Promise<MerchantUserInvitationType[]> {
    return (await this.users.pendingInvitations(ctx.principal, merchantId)).map(MerchantUserInvitationType.from);
  }

  @Mutation(() => Boolean, { description: 'Owner (an admin names the merchant): withdraws a pending invitation; its link stops working. Not pending: INVITATION_NOT_FOUND.' })
  async withdrawMerchantUserInvitation(
    @Arg('id', () => ID) id: string,
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<boolean> {
    return this.users.withdrawInvitation(ctx.principal, id, merchantId);
  }

  @Mutation(() => MerchantUserType, { description: 'Owner: changes a user’s role (the last owner stays an owner).' })
  async changeMerchantUserRole(
    @Arg('id', () => ID) id: string,
    @Arg('role', () => MerchantUserRole) role: MerchantUserRole,
    @Ctx() ctx: MerchantContext,
  ): Promise<MerchantUserType> {
    return MerchantUserType.from(await this.users.changeRole(ctx.principal, id, role));
  }

  @Mutation(() => Boolean, { description: 'Owner: removes a user and ends its sessions (not the last owner).' })
  async removeMerchantUser(@Arg('id', () => ID) id: string, @Ctx() ctx: MerchantContext): Promise<boolean> {
    return this.users.remove(ctx.principal, id);
  }

  @Query(() => [PortalSessionType], { description: 'The signed-in user’s own live portal sessions.' })
  async portalSessions(@Ctx() ctx: MerchantContext): Promise<PortalSessionType[]> {
    const current = ctx.principal.kind === 'MERCHANT' ? ctx.principal.portalSessionId : undefined;
    return (await this.sessions.listOwn(ctx.principal)).map((s) => PortalSessionType.from(s, current));
  }

  @Mutation(() => Boolean, { description: 'Ends one of the signed-in user’s own portal sessions.' })
  async revokePortalSession(@Arg('id', () => ID) id: string, @Ctx() ctx: MerchantContext): Promise<boolean> {
    return this.sessions.revokeOwn(ctx.principal, id);
  }
}
