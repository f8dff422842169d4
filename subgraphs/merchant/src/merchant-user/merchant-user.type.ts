// The GraphQL face of the portal's accounts. PortalSignIn, PortalSessionLookup and
// PortalInvitationView are internal (@inaccessible): only the gateway asks for them, signed as a SERVICE.
import { Directive, Field, ID, InputType, ObjectType } from 'type-graphql';
import type { MerchantUserEntity, MerchantUserInvitationEntity, PortalSessionEntity } from './merchant-user.entity.js';
import { MerchantUserRole } from './merchant-user.role.js';
import type { PortalUserView } from './portal-session.service.js';

@ObjectType('MerchantUser', { description: 'A person who signs in to the merchant portal.' })
export class MerchantUserType {
  @Field(() => ID) id: string;
  @Field({ description: 'Lower-cased; unique per merchant.' }) email: string;
  @Field() name: string;
  @Field(() => MerchantUserRole) role: MerchantUserRole;
  @Field(() => ID) merchantId: string;
  @Field() createdAt: Date;

  static from(u: MerchantUserEntity): MerchantUserType {
    return Object.assign(new MerchantUserType(), { id: u.id, email: u.email, name: u.name, role: u.role, merchantId: u.merchantId, createdAt: u.createdAt });
  }
}

@ObjectType('MerchantUserInvitation', { description: 'A one-time invitation to the merchant portal; valid 7 days.' })
export class MerchantUserInvitationType {
  @Field(() => ID) id: string;
  @Field() email: string;
  @Field(() => MerchantUserRole) role: MerchantUserRole;
  @Field(() => ID) merchantId: string;
  @Field() createdAt: Date;
  @Field() expiresAt: Date;

  static from(i: MerchantUserInvitationEntity): MerchantUserInvitationType {
    return Object.assign(new MerchantUserInvitationType(), { id: i.id, email: i.email, role: i.role, merchantId: i.merchantId, createdAt: i.createdAt, expiresAt: i.expiresAt });
  }
}

@ObjectType('MerchantUserInvitationResult')
export class MerchantUserInvitationResultType {
  @Field(() => MerchantUserInvitationType) invitation: MerchantUserInvitationType;
  @Field({ description: 'The one-time link to give the invitee. Shown this once: only its hash is kept.' }) acceptUrl: string;
}

@InputType('InviteMerchantUserInput')
export class InviteMerchantUserInput {
  @Field() email: string;
  @Field(() => MerchantUserRole) role: MerchantUserRole;
  @Field(() => ID, { nullable: true, description: 'Admin only: the merchant (an owner invites to its own).' }) merchantId?: string | null;
}

@ObjectType('PortalSession', { description: 'One of the signed-in user’s own portal sessions.' })
export class PortalSessionType {
  @Field(() => ID) id: string;
  @Field() createdAt: Date;
  @Field() lastSeenAt: Date;
  @Field({ description: 'Its absolute end; it also ends after 12 hours unused.' }) expiresAt: Date;
  @Field(() => String, { nullable: true }) userAgent: string | null;
  @Field(() => String, { nullable: true }) ip: string | null;
  @Field({ description: 'Whether this is the session making the request.' }) current: boolean;

  static from(s: PortalSessionEntity, currentId: string | undefined): PortalSessionType {
    return Object.assign(new PortalSessionType(), {
      id: s.id,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      expiresAt: s.expiresAt,
      userAgent: s.userAgent,
      ip: s.ip,
      current: s.id === currentId,
    });
  }
}

@ObjectType('PortalUser')
@Directive('@inaccessible')
export class PortalUserType {
  @Field(() => ID) id: string;
  @Field() email: string;
  @Field() name: string;
  @Field(() => MerchantUserRole) role: MerchantUserRole;
  @Field(() => ID) merchantId: string;
  @Field() merchantName: string;

  static from(u: PortalUserView): PortalUserType {
    return Object.assign(new PortalUserType(), u);
  }
}

@ObjectType('PortalSignIn')
@Directive('@inaccessible')
export class PortalSignInType {
  @Field() token: string;
  @Field(() => ID) sessionId: string;
  @Field(() => PortalUserType) user: PortalUserType;
}

@ObjectType('PortalSessionLookup')
@Directive('@inaccessible')
export class PortalSessionLookupType {
  @Field(() => ID) sessionId: string;
  @Field(() => PortalUserType) user: PortalUserType;
}

@ObjectType('PortalInvitationView')
@Directive('@inaccessible')
export class PortalInvitationViewType {
  @Field() email: string;
  @Field() merchantName: string;
  @Field(() => MerchantUserRole) role: MerchantUserRole;
}
