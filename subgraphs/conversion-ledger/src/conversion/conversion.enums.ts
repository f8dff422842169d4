// The conversion's enums, shared by its entity and its GraphQL type. Values equal keys, so the
// database, the API and the code all spell them the same way.
import { registerEnumType } from 'type-graphql';
import { CommissionType } from '../commission/commission.js';

export enum ConversionStatus {
  PENDING = 'PENDING',
  VALIDATED = 'VALIDATED',
  PAYABLE = 'PAYABLE',
  PAID = 'PAID',
  CLAWED_BACK = 'CLAWED_BACK',
  DISPUTED = 'DISPUTED',
  REJECTED = 'REJECTED',
}

export enum ConversionPath {
  /** From a PSP payment carrying a valid attribution code. */
  VERIFIED_PAYMENT = 'VERIFIED_PAYMENT',
  /** Reported by the merchant for an outcome that is not a checkout payment. */
  MERCHANT_REPORTED = 'MERCHANT_REPORTED',
}

registerEnumType(ConversionStatus, { name: 'ConversionStatus' });
registerEnumType(ConversionPath, {
  name: 'ConversionPath',
  valuesConfig: {
    VERIFIED_PAYMENT: { description: 'From a PSP payment carrying a valid attribution code.' },
    MERCHANT_REPORTED: { description: 'Reported by the merchant for an outcome that is not a checkout payment.' },
  },
});

// The merchant subgraph declares the same enum with the same values; composition merges them.
registerEnumType(CommissionType, { name: 'CommissionType' });
