// The Team and Your sessions pages' pure rules (specs beside it): the roles an owner gives, how a
// session's user agent reads, the order sessions are listed in.
import type { Role } from '../../api/accounts';

/** The roles an owner may give, as the role selects offer them. */
export const ROLE_CHOICES: ReadonlyArray<readonly [Role, string]> = [
  ['OWNER', 'Owner (everything, with the team and API keys)'],
  ['DEVELOPER', 'Developer (everything but the team and API keys)'],
  ['ANALYST', 'Analyst (read only)'],
];

const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/HeadlessChrome\//, 'Headless Chrome'],
  [/Chrom(e|ium)\/|CriOS\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/^curl\//, 'curl'],
];

const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/Windows/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** "Chrome on Linux", "Firefox", "Unknown browser" (no user agent), or the raw text when nothing is recognised. */
export function describeUserAgent(userAgent: string | null | undefined): string {
  const ua = userAgent?.trim();
  if (!ua) return 'Unknown browser';
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? (ua.length > 60 ? `${ua.slice(0, 60)}…` : ua);
}

interface SessionLike {
  current: boolean;
  lastSeenAt: string;
}

/** This session first, then the others by last use, most recent first. */
export function sessionOrder<T extends SessionLike>(sessions: readonly T[]): T[] {
  return [...sessions].sort((a, b) => Number(b.current) - Number(a.current) || Date.parse(b.lastSeenAt) - Date.parse(a.lastSeenAt));
}

/** How many owners a user list has (the last one cannot be demoted or removed: LAST_OWNER). */
export function ownerCount(users: ReadonlyArray<{ role: string }>): number {
  return users.filter((u) => u.role === 'OWNER').length;
}
