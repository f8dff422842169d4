// Every TypeORM entity of the checkout-session package (schema `checkout`).
import { AgentSessionEntity } from './agent-session/agent-session.entity.js';
import { CheckoutSessionTermsEntity } from './checkout-lifecycle/session-terms.entity.js';
import { CheckoutSessionEntity } from './checkout-session/checkout-session.entity.js';
import { LineItemEntity } from './checkout-session/line-item.entity.js';
import { RecommendationEntity } from './recommendation/recommendation.entity.js';
import { CheckoutFailureEntity, CheckoutSupportNoteEntity } from './remediation/remediation.entity.js';
import { CheckoutExportEntity } from './checkout-export/checkout-export.entity.js';

import { FinalizationJobEntity, OrderEntity } from './order/order.entity.js';
import { HostedLinkEntity } from './hosted/hosted-link.entity.js';

export const entities: Function[] = [CheckoutSessionEntity, LineItemEntity, AgentSessionEntity, RecommendationEntity, CheckoutSessionTermsEntity, CheckoutFailureEntity, CheckoutSupportNoteEntity, CheckoutExportEntity, OrderEntity, FinalizationJobEntity, HostedLinkEntity];
