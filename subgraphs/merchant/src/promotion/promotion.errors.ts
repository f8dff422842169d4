// Expected failures about promotions, with stable codes.
import { ErrorCode, HandoffError, notFound } from '@handoff/shared';

export const promotionNotFound = (id: string) => notFound(ErrorCode.NOT_FOUND, `Promotion ${id} was not found.`);
export const promotionCodeTaken = (code: string) =>
  new HandoffError(ErrorCode.PROMOTION_CODE_TAKEN, `This merchant already has a promotion with the code ${code} (codes ignore case).`, {
    field: 'input.code',
  });
