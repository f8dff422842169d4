// Signed, expiring download links of an export's file (seed 003 §16 "to S3/BI"): like an S3
// presigned URL, the link itself is the credential, so a BI tool fetches it without an API key.
// signature = hex HMAC-SHA256(key, "<export id>.<expires unix seconds>"), the key derived from the
// internal secret for this purpose only. A link whose signature does not verify (a changed id,
// expiry or signature) is DOWNLOAD_LINK_INVALID; a verified one past its expiry DOWNLOAD_LINK_EXPIRED.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DEFAULT_LINK_TTL_SECONDS = 900;
export const MAX_LINK_TTL_SECONDS = 86_400;

export type LinkCheck = 'ok' | 'invalid' | 'expired';

export class ExportLinkSigner {
  private readonly key: Buffer;

  constructor(internalSecret: string) {
    this.key = createHmac('sha256', internalSecret).update('checkout-export-download-links').digest();
  }

  sign(exportId: string, expiresUnix: number): string {
    return createHmac('sha256', this.key).update(`${exportId}.${expiresUnix}`).digest('hex');
  }

  /** The link's query as given (strings), checked against the export it names. */
  check(exportId: string, expires: unknown, signature: unknown, nowMs = Date.now()): LinkCheck {
    if (typeof expires !== 'string' || !/^[0-9]{1,12}$/.test(expires)) return 'invalid';
    if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) return 'invalid';
    const expected = Buffer.from(this.sign(exportId, Number(expires)), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'invalid';
    return Number(expires) * 1000 <= nowMs ? 'expired' : 'ok';
  }

  /** The download URL under `baseUrl` (the gateway's public URL), valid `ttlSeconds` from `nowMs`. */
  link(baseUrl: string, exportId: string, ttlSeconds: number, nowMs = Date.now()): { url: string; expiresAt: Date } {
    const expires = Math.floor(nowMs / 1000) + ttlSeconds;
    const query = new URLSearchParams({ expires: String(expires), signature: this.sign(exportId, expires) });
    return { url: `${baseUrl}/v1/checkout/exports/${encodeURIComponent(exportId)}/download?${query}`, expiresAt: new Date(expires * 1000) };
  }
}
