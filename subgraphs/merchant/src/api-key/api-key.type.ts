// The GraphQL face of API keys. ApiKeyPrincipal is internal (@inaccessible): the gateway asks
// for it, signed as a SERVICE, to turn a bearer key into a principal.
import { Connection } from '@handoff/shared';
import { Directive, Field, ID, InputType, ObjectType } from 'type-graphql';
import type { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeyRole } from './api-key.role.js';

@ObjectType('ApiKey', { description: 'An API key as stored: never the key itself.' })
export class ApiKeyType {
  @Field(() => ID) id: string;
  @Field(() => ApiKeyRole) role: ApiKeyRole;
  @Field({ description: 'The first characters of the key, to tell keys apart.' }) prefix: string;
  @Field(() => String, { nullable: true }) name: string | null;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'When a request last authenticated with it, to the minute; null: never used.' }) lastUsedAt: Date | null;
  @Field(() => ID, { nullable: true }) merchantId: string | null;
  @Field(() => ID, { nullable: true }) agentId: string | null;

  static from(k: ApiKeyEntity): ApiKeyType {
    return Object.assign(new ApiKeyType(), {
      id: k.id,
      role: k.role,
      prefix: k.prefix,
      name: k.name,
      createdAt: k.createdAt,
      revokedAt: k.revokedAt,
      lastUsedAt: k.lastUsedAt ?? null,
      merchantId: k.merchantId,
      agentId: k.agentId,
    });
  }
}

export const ApiKeyConnection = Connection('ApiKey', ApiKeyType);

@ObjectType('CreatedApiKey')
export class CreatedApiKeyType {
  @Field({ description: 'The whole key. Shown this once: Handoff keeps only its hash.' }) key: string;
  @Field(() => ApiKeyType) apiKey: ApiKeyType;
}

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @Field(() => ApiKeyRole) role: ApiKeyRole;
  @Field(() => ID, { nullable: true, description: 'Required for AGENT keys, omitted otherwise.' }) agentId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Required for MERCHANT keys, omitted otherwise.' }) merchantId?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
}

@ObjectType('ApiKeyPrincipal')
@Directive('@inaccessible')
export class ApiKeyPrincipalType {
  @Field(() => ID) keyId: string;
  @Field(() => ApiKeyRole) role: ApiKeyRole;
  @Field(() => ID, { nullable: true }) merchantId: string | null;
  @Field(() => ID, { nullable: true }) agentId: string | null;
}
