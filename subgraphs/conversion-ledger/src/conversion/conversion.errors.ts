// Typed helpers for the conversion ledger's expected failures (codes from API.md).
import { ErrorCode, HandoffError } from '@handoff/shared';

export const conversionNotFound = (id: string) => new HandoffError(ErrorCode.CONVERSION_NOT_FOUND, `Conversion ${id} not found.`);
export const sessionNotFound = (id: string) => new HandoffError(ErrorCode.SESSION_NOT_FOUND, `Session ${id} not found.`);
export const merchantNotFound = (id: string) => new HandoffError(ErrorCode.MERCHANT_NOT_FOUND, `Merchant ${id} not found.`);
export const invalidMilestone = (message: string, reason: string) =>
  new HandoffError(ErrorCode.INVALID_MILESTONE, message, { reason: `milestone:${reason}` });
export const batchNotFound = (id: string) => new HandoffError(ErrorCode.NOT_FOUND, `Settlement batch ${id} not found.`);
export const codeAlreadyRedeemed = (id: string) =>
  new HandoffError(
    ErrorCode.ATTRIBUTION_CODE_ALREADY_REDEEMED,
    `Conversion ${id} cannot be approved: its attribution code already earned a verified conversion.`,
    { reason: 'conversion:code_already_redeemed' },
  );
