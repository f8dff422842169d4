// The hosted page's JSON API for what the buyer fills in (issue 18, item 8), with the page's client
// secret (`Authorization: Bearer <cs>` or `?cs=`):
//   POST   /api/checkout/:sessionId/promotion-codes         { code }
//   DELETE /api/checkout/:sessionId/promotion-codes/:code
//   POST   /api/checkout/:sessionId/shipping-address        { name?, line1, line2?, city, state?, postal_code?, country }
//   POST   /api/checkout/:sessionId/billing-address         (the same)
//   POST   /api/checkout/:sessionId/shipping                { shipping_option_id } or { pickup_location_id }
// Each runs its buyer operation, then calculateCheckout, and answers 200 with the public view as it
// now is (the new totals, options and blockers). Refusals: `{ error, code, reason?, field? }` with
// `error` in the buyer's words (buyer-changes.ts); a change made whose calculation then failed
// answers that failure with `session`, the view as it now is.
import type { Express, Request, RequestHandler, Response } from 'express';
import type { GatewayRouteDeps } from '../route-deps.js';
import { applyBuyerChange, parseAddressBody, parsePromotionBody, parsePromotionParam, parseShippingBody, type Parsed } from './buyer-changes.js';
import { NOT_FOUND } from './checkout-api.js';
import { localeFrom } from './money-format.js';
import { clientPrincipal, safely, sendFailure } from './route-support.js';

function changeRoute(deps: GatewayRouteDeps, parse: (req: Request) => Parsed): RequestHandler {
  return safely(deps, async (req: Request, res: Response, deps: GatewayRouteDeps) => {
    const principal = clientPrincipal(deps, req, true);
    if (!principal) return sendFailure(res, NOT_FOUND);
    const parsed = parse(req);
    if (!parsed.ok) return sendFailure(res, { status: 400, code: 'BAD_USER_INPUT', message: parsed.message }, { field: parsed.field });
    const answer = await applyBuyerChange(deps, principal, String(req.params.sessionId), parsed.change, localeFrom(req.headers['accept-language']));
    if (answer.ok) {
      res.status(200).json(answer.view);
      return;
    }
    const { field, ...failure } = answer.failure;
    sendFailure(res, failure, { ...(field ? { field } : {}), ...(answer.view ? { session: answer.view } : {}) });
  });
}

export function mountBuyerRoutes(app: Express, deps: GatewayRouteDeps, json: RequestHandler): void {
  app.post('/api/checkout/:sessionId/promotion-codes', json, changeRoute(deps, (req) => parsePromotionBody(req.body)));
  app.delete('/api/checkout/:sessionId/promotion-codes/:code', changeRoute(deps, (req) => parsePromotionParam(req.params.code)));
  app.post('/api/checkout/:sessionId/shipping-address', json, changeRoute(deps, (req) => parseAddressBody(req.body, 'shipping')));
  app.post('/api/checkout/:sessionId/billing-address', json, changeRoute(deps, (req) => parseAddressBody(req.body, 'billing')));
  app.post('/api/checkout/:sessionId/shipping', json, changeRoute(deps, (req) => parseShippingBody(req.body)));
}
