// Enums of the merchant concept. Values equal their keys, so GraphQL, SQL and events agree.
import { registerEnumType } from 'type-graphql';

export enum MerchantStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(MerchantStatus, {
  name: 'MerchantStatus',
  description: 'ACTIVE merchants are visible to agents; SUSPENDED ones only to admins and themselves.',
});

/** How a merchant pays commission. The ledger subgraph uses the same enum. */
export enum CommissionType {
  CPA = 'CPA',
  PERCENTAGE = 'PERCENTAGE',
  HYBRID = 'HYBRID',
}
registerEnumType(CommissionType, {
  name: 'CommissionType',
  description: 'CPA: a fixed amount per conversion; PERCENTAGE: basis points of the transaction value; HYBRID: both.',
});
