// The merchant portal's accounts at the gateway (docs/portal-auth.md): cookie sessions, CSRF,
// roles, and the /portal/api routes.
export { MerchantAccountsPort, AccountsRefusal, AccountsUnavailableError, type PortalUser } from './merchant-accounts.port.js';
export { PortalAuth, principalOfUser, type PortalIdentity, type PortalRefusal } from './portal-auth.js';
export { mountPortalAuth, PORTAL_API } from './portal-routes.js';
export { portalRolePlugin, roleRefusal, OWNER_ONLY_ROOT_FIELDS } from './role-policy.js';
export { CSRF_HEADER, SESSION_COOKIE, CsrfTokens } from './session-cookie.js';
