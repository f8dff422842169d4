// The queue dashboard for operators at /admin/queues (bull-board over every package's queues),
// behind the ADMIN key:
//   GET    /admin/queues/login        a page where the operator pastes the admin key; its script
//                                     POSTs it as a bearer header (never a URL) and opens the board
//   POST   /admin/queues/session      ADMIN key → 204 and the session cookie (dashboard-session.ts)
//   DELETE /admin/queues/session      clears it
//   /admin/queues…                    the dashboard: a valid session cookie, or an ADMIN bearer key
//                                     (scripts); none → 401, another kind of key → 403
// From the dashboard an operator may look at everything and retry failed jobs; every other change
// (adding, editing, removing, cleaning, emptying, pausing) is refused 403: those are not fixes.
import type { Express, NextFunction, Request, Response } from 'express';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { requestIdOf } from '../../http/request-id.js';
import { sendError } from '../rest-http.js';
import { adminPrincipal } from './admin-route.js';
import { clearedSessionCookie, DASHBOARD_PATH, DashboardSessions, sessionCookie, sessionCookieOf } from './dashboard-session.js';
import type { QueueBoard } from './board-app.js';
import { operatorQueues } from './operator-queues.js';

/** Changes the dashboard may make: retrying failed jobs (one, or all of a queue's). */
const ALLOWED_CHANGES = [/^\/api\/queues\/[^/]+\/retry\/failed\/?$/, /^\/api\/queues\/[^/]+\/[^/]+\/retry\/?$/];
const REFRESH_QUEUES_MS = 5_000;

function protect(res: Response): void {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-content-type-options', 'nosniff');
}

const LOGIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Handoff queues: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><script src="${DASHBOARD_PATH}/login.js" defer></script></head>
<body><main><h1>Handoff queues</h1>
<form id="login"><label for="key">Admin API key</label><br><input id="key" name="key" type="password" autocomplete="off" required minlength="16"><button type="submit">Open the dashboard</button></form>
<p id="error" role="alert" hidden></p></main></body></html>
`;

const LOGIN_SCRIPT = `document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = document.getElementById('key');
  const error = document.getElementById('error');
  const res = await fetch('${DASHBOARD_PATH}/session', { method: 'POST', headers: { authorization: 'Bearer ' + key.value }, credentials: 'same-origin' });
  key.value = '';
  if (res.status === 204) return void window.location.assign('${DASHBOARD_PATH}');
  error.textContent = res.status === 403 ? 'That key is not an admin key.' : 'That key was not accepted.';
  error.hidden = false;
});
`;

export function mountQueueDashboard(app: Express, deps: GatewayRouteDeps): void {
  const sessions = new DashboardSessions(deps.config.internalSecret);
  const secure = (req: Request) => deps.config.production || req.secure;
  const queues = operatorQueues(deps);
  let board: Promise<QueueBoard> | undefined;
  let refreshedAt = 0;
  const boardNow = async (): Promise<QueueBoard> => {
    board ??= Promise.all([import('./board-app.js'), queues.admin()])
      .then(([{ createQueueBoard }, admin]) => createQueueBoard(DASHBOARD_PATH, admin))
      .catch((err: unknown) => {
        board = undefined;
        throw err;
      });
    const b = await board;
    if (Date.now() - refreshedAt > REFRESH_QUEUES_MS) {
      b.show(await queues.registry());
      refreshedAt = Date.now();
    }
    return b;
  };
  const failed = (req: Request, res: Response, err: unknown) => {
    deps.logger.error({ err, requestId: requestIdOf(req) }, 'queue dashboard failed');
    if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
  };

  app.get(`${DASHBOARD_PATH}/login`, (_req, res) => {
    protect(res);
    res.setHeader('content-security-policy', "default-src 'none'; script-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
    res.type('html').send(LOGIN_PAGE);
  });
  app.get(`${DASHBOARD_PATH}/login.js`, (_req, res) => {
    protect(res);
    res.type('text/javascript').send(LOGIN_SCRIPT);
  });
  app.post(`${DASHBOARD_PATH}/session`, (req, res) => {
    protect(res);
    adminPrincipal(deps, req, res).then((principal) => {
      if (!principal) return;
      res.setHeader('set-cookie', sessionCookie(sessions.issue(), secure(req)));
      deps.logger.info({ by: principal, requestId: requestIdOf(req) }, 'queue dashboard session opened');
      res.status(204).end();
    }, (err: unknown) => failed(req, res, err));
  });
  app.delete(`${DASHBOARD_PATH}/session`, (req, res) => {
    protect(res);
    res.setHeader('set-cookie', clearedSessionCookie(secure(req)));
    res.status(204).end();
  });

  app.use(DASHBOARD_PATH, (req: Request, res: Response, next: NextFunction) => {
    protect(res);
    (async () => {
      if (!sessions.valid(sessionCookieOf(req.headers.cookie))) {
        if (!req.headers.authorization) return unauthenticated(req, res);
        if (!(await adminPrincipal(deps, req, res))) return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD' && !ALLOWED_CHANGES.some((p) => p.test(req.path))) {
        return sendError(res, 403, 'FORBIDDEN', 'The dashboard may look and retry failed jobs; other changes to the queues are not made from here.');
      }
      res.setHeader('content-security-policy', "frame-ancestors 'none'");
      (await boardNow()).handler(req, res, next);
    })().catch((err: unknown) => failed(req, res, err));
  });
}

function unauthenticated(req: Request, res: Response): void {
  res.setHeader('www-authenticate', 'Bearer realm="handoff"');
  if (req.accepts(['json', 'html']) === 'html') {
    res.status(401).type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body><p>The queue dashboard needs an admin key: <a href="${DASHBOARD_PATH}/login">sign in</a>.</p></body></html>`);
    return;
  }
  sendError(res, 401, 'UNAUTHENTICATED', `The queue dashboard needs an admin session (POST ${DASHBOARD_PATH}/session with an admin key) or an admin API key.`);
}
