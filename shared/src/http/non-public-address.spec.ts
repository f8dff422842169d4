import { describe, expect, it } from 'vitest';
import { isNonPublicAddress, isNonPublicHost } from './non-public-address.js';

describe('non-public addresses', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', 'not-an-ip'])(
    'resolved %s is not public',
    (a) => expect(isNonPublicAddress(a)).toBe(true),
  );

  it.each(['93.184.216.34', '2606:2800:220:1::1', '::ffff:93.184.216.34'])('resolved %s is public', (a) => expect(isNonPublicAddress(a)).toBe(false));

  it.each(['localhost', 'api.localhost', 'LOCALHOST.', '[::1]', '[::ffff:7f00:1]', '10.0.0.8'])('URL host %s is not public', (h) =>
    expect(isNonPublicHost(h)).toBe(true),
  );

  it.each(['example.com', '93.184.216.34', '[2606:2800:220:1::1]'])('URL host %s is public (names are judged again at connection)', (h) =>
    expect(isNonPublicHost(h)).toBe(false),
  );
});
