// The GraphQL face of a merchant notice.
import { Connection } from '@handoff/shared';
import { Field, ID, ObjectType } from 'type-graphql';
import type { MerchantNoticeEntity } from './merchant-notice.entity.js';

@ObjectType('MerchantNotice')
export class MerchantNoticeType {
  @Field(() => ID) id: string;
  @Field(() => ID) merchantId: string;
  @Field({ description: 'What happened, e.g. webhook_endpoint.disabled.' }) kind: string;
  @Field(() => ID, { nullable: true, description: 'What it is about, e.g. the webhook endpoint\'s id.' }) subjectId: string | null;
  @Field() message: string;
  @Field() createdAt: Date;

  static from(n: MerchantNoticeEntity): MerchantNoticeType {
    return Object.assign(new MerchantNoticeType(), {
      id: n.id,
      merchantId: n.merchantId,
      kind: n.kind,
      subjectId: n.subjectId,
      message: n.message,
      createdAt: n.createdAt,
    });
  }
}

export const MerchantNoticeConnection = Connection('MerchantNotice', MerchantNoticeType);
