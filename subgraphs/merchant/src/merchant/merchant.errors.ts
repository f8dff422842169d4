// Expected failures about merchants, with API.md codes.
import { ErrorCode, forbidden, notFound } from '@handoff/shared';

export const merchantNotFound = (id: string) => notFound(ErrorCode.MERCHANT_NOT_FOUND, `Merchant ${id} was not found.`);
export const merchantSuspended = () => forbidden('This merchant is suspended; only an admin can change it.');
export const onlyAdminChangesStatus = () => forbidden("Only an admin can change a merchant's status.");
