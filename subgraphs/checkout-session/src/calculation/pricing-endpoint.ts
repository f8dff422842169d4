// One signed call to a merchant's pricing endpoint (tax, shipping or promotions): the JSON body
// is signed as Handoff signs its webhooks (Handoff-Signature, shared/src/identity/payload-signature),
// POSTed with the provider's timeout, and the answer parsed as JSON. Anything but a 2xx JSON
// answer in time is a ProviderFailure, which the engine turns into the provider's fallback.
// Unless private URLs are allowed (WEBHOOK_ALLOW_PRIVATE_URLS), a name that resolves to a
// loopback, private or link-local address is refused when connecting (the merchant subgraph only
// checks what the URL itself says).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isNonPublicHost, NON_PUBLIC_ADDRESS_ERROR, PAYLOAD_SIGNATURE_HEADER, publicOnlyLookup, signPayload } from '@handoff/shared';
import type { ProviderConcern } from './calculation.types.js';
import { ProviderFailure } from './calculation.errors.js';

export { ProviderFailure };

export const MAX_ANSWER_BYTES = 1_048_576;

export interface PricingEndpoint {
  url: string;
  secret: string;
  timeoutMs: number;
}

export interface EndpointCallOptions {
  allowPrivateUrls: boolean;
  now?: () => number;
}

/** POSTs `payload` (JSON) signed to `endpoint`; resolves the parsed JSON of a 2xx answer, else throws ProviderFailure. */
export function callPricingEndpoint(concern: ProviderConcern, endpoint: PricingEndpoint, payload: unknown, opts: EndpointCallOptions): Promise<unknown> {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(endpoint.url);
    } catch {
      reject(new ProviderFailure(concern, 'endpoint URL is invalid'));
      return;
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && opts.allowPrivateUrls)) {
      reject(new ProviderFailure(concern, 'endpoint URL must be https'));
      return;
    }
    if (!opts.allowPrivateUrls && isNonPublicHost(url.hostname)) {
      reject(new ProviderFailure(concern, 'endpoint address is not public'));
      return;
    }
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(new ProviderFailure(concern, reason));
    };
    const headers = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': 'Handoff-Pricing/1',
      [PAYLOAD_SIGNATURE_HEADER]: signPayload(endpoint.secret, body, opts.now?.() ?? Date.now()),
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: 'POST', headers, agent: false, ...(opts.allowPrivateUrls ? {} : { lookup: publicOnlyLookup as never }) },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) fail('answer too large');
          else chunks.push(c);
        });
        res.on('error', () => fail('connection failed'));
        res.on('aborted', () => fail('answer aborted'));
        res.on('end', () => {
          if (settled) return;
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) return fail(`status ${status}`);
          let json: unknown;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return fail('invalid answer: not JSON');
          }
          settled = true;
          clearTimeout(timer);
          resolve(json);
        });
      },
    );
    const timer = setTimeout(() => fail(`timeout after ${endpoint.timeoutMs} ms`), endpoint.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code === NON_PUBLIC_ADDRESS_ERROR ? 'endpoint address is not public' : 'connection failed'));
    req.end(body);
  });
}
