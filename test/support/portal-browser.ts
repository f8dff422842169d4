// The merchant portal's browser tests' shared set-up (test/e2e/portal-*.browser.e2e.spec.ts):
// Chromium pages that collect what went wrong on them (console errors, page errors, HTTP answers
// of 400 and up that the test did not cause on purpose), screenshots with an axe-core check of
// the state shown, users made the way an owner's invitation makes them, and signing in.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations, describeViolations, isSerious } from './axe.js';
import { launchBrowser, type Browser } from './browser.js';
import type { GqlClient } from './client.js';

const INVITE = `mutation($input: InviteMerchantUserInput!) { inviteMerchantUser(input: $input) { acceptUrl } }`;

export class PortalBrowsers {
  /** What went wrong on the pages, as "<who> …" lines: a test ends expecting none. */
  readonly problems: string[] = [];
  /** Answers caused on purpose ("<who> <status> <method> <path>"), not counted as problems. */
  readonly expected = new Set<string>();
  /** Serious or critical axe-core violations of the states screenshotted with `shot`. */
  readonly inaccessible: string[] = [];
  private readonly browsers: Browser[] = [];

  constructor(private readonly artifacts: string) {}

  /** A fresh browser's page, its failures collected under `who`. */
  async newPage(who: string): Promise<Page> {
    const browser = await launchBrowser();
    this.browsers.push(browser);
    const p = await browser.context.newPage();
    p.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) this.problems.push(`${who} console: ${m.text()}`);
    });
    p.on('pageerror', (e) => this.problems.push(`${who} pageerror: ${e.message}`));
    p.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      // Before signing in, the SPA asks for its session: 401 is the expected answer.
      const failure = `${who} ${r.status()} ${r.request().method()} ${path}`;
      if (r.status() >= 400 && !(r.status() === 401 && path === '/portal/api/session') && !this.expected.has(failure)) this.problems.push(`HTTP ${failure}`);
    });
    return p;
  }

  /** A fresh browser signed in as `email` at `base`, landed on `next` once its heading `heading` shows. */
  async signIn(base: string, user: { email: string; password: string }, who: string, landing: { next: string; heading: string }, timeout = 45_000): Promise<Page> {
    const p = await this.newPage(who);
    await p.goto(`${base}/portal/login?next=${encodeURIComponent(landing.next)}`);
    await p.getByLabel('Email').fill(user.email);
    await p.getByLabel('Password').fill(user.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: landing.heading, level: 1 }).waitFor({ timeout });
    return p;
  }

  /** A full-page screenshot in the artifacts folder; with `axe`, the state's serious violations are kept in `inaccessible`. */
  async shot(p: Page, name: string, opts: { axe: boolean } = { axe: true }): Promise<void> {
    await p.screenshot({ path: join(this.artifacts, `${name}.png`), fullPage: true });
    if (opts.axe) this.inaccessible.push(...describeViolations(name, (await axeViolations(p)).filter(isSerious)));
  }

  async close(): Promise<void> {
    for (const b of this.browsers) await b.close();
  }
}

/** A user of `merchantId` with `role`, made the way an owner's invitation is: the link (as `admin`), then accept. */
export async function invitedUser(admin: GqlClient, base: string, user: { email: string; role: string; merchantId: string; password: string }): Promise<void> {
  const { inviteMerchantUser } = await admin.ok(INVITE, { input: { email: user.email, role: user.role, merchantId: user.merchantId } });
  const token = new URL(inviteMerchantUser.acceptUrl as string).pathname.split('/').pop()!;
  const accepted = await fetch(`${base}/portal/api/invitations/${token}/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: user.role.toLowerCase(), password: user.password }),
  });
  expect(accepted.status).toBe(200);
}
