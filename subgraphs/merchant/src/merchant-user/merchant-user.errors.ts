// Expected failures of the portal's accounts, with their stable codes (docs/portal-auth.md).
import { ErrorCode, HandoffError } from '@handoff/shared';

/** One message for a wrong email and a wrong password: nobody learns which emails have accounts. */
export const invalidCredentials = () => new HandoffError(ErrorCode.INVALID_CREDENTIALS, 'Email or password is incorrect.');
export const tooManyAttempts = (retryAfterSeconds: number) =>
  new HandoffError(ErrorCode.TOO_MANY_ATTEMPTS, 'Too many failed sign-in attempts; try again later.', { reason: `retry_after:${retryAfterSeconds}` });
export const invitationInvalid = () => new HandoffError(ErrorCode.INVITATION_INVALID, 'This invitation link is not valid or was already used.');
export const invitationExpired = () => new HandoffError(ErrorCode.INVITATION_EXPIRED, 'This invitation link has expired; ask for a new one.');
export const weakPassword = (message: string) => new HandoffError(ErrorCode.WEAK_PASSWORD, message, { field: 'password' });
export const userExists = () => new HandoffError(ErrorCode.MERCHANT_USER_EXISTS, 'This merchant already has a user with this email.', { field: 'email' });
export const userNotFound = (id: string) => new HandoffError(ErrorCode.MERCHANT_USER_NOT_FOUND, `Merchant user ${id} was not found.`);
export const invitationNotFound = (id: string) => new HandoffError(ErrorCode.INVITATION_NOT_FOUND, `No pending invitation ${id}.`);
export const portalSessionNotFound = (id: string) => new HandoffError(ErrorCode.PORTAL_SESSION_NOT_FOUND, `Portal session ${id} was not found.`);
export const lastOwner = () => new HandoffError(ErrorCode.LAST_OWNER, 'The merchant must keep at least one owner.');
export const roleForbidden = (message = 'Your role may not do this.') => new HandoffError(ErrorCode.ROLE_FORBIDDEN, message);
