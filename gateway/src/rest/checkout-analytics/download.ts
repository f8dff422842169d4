// GET /v1/checkout/exports/{id}/download?expires=&signature= — an export's file through its signed
// link (no API key: the link is the credential, as an S3 presigned URL is). The file is read from
// checkout-session one chunk at a time (POST /internal/checkout-exports/:id/chunks/:seq, each
// checking the link) and written as it comes, waiting for the client to drain: the gateway holds
// one chunk, whatever the file's size. A tampered link is 403 DOWNLOAD_LINK_INVALID, an expired one
// 403 DOWNLOAD_LINK_EXPIRED, an unknown or unready export 404 EXPORT_NOT_FOUND.
import { once } from 'node:events';
import type { Express, Request, Response } from 'express';
import { exportChunkPath, type ExportChunkAnswer, type ExportChunkRefusal } from '@handoff/shared/contracts/checkout-analytics.contract';
import { REQUEST_ID_HEADER, requestIdFrom } from '@handoff/shared/logging/logger';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { requestIdOf } from '../../http/request-id.js';
import { sendError } from '../rest-http.js';
import { EXPORTS } from './exports.js';

export const DOWNLOAD = `${EXPORTS}/:id/download`;
const EXPORT_ID = /^[A-Za-z0-9_-]{1,100}$/;
const CONTENT_TYPES: Record<string, string> = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8' };
const RELAYED = new Set([403, 404]);

type Chunk = { ok: true; chunk: ExportChunkAnswer } | { ok: false; status: number; code: string; error: string };

async function readChunk(deps: GatewayRouteDeps, requestId: string, id: string, seq: number, link: { expires: string; signature: string }): Promise<Chunk> {
  const answer = await deps.callInternal('checkout-session', exportChunkPath(id, seq), Buffer.from(JSON.stringify(link)), { [REQUEST_ID_HEADER]: requestId });
  let json: unknown;
  try {
    json = JSON.parse(answer.body.toString('utf8'));
  } catch {
    json = undefined;
  }
  if (answer.status === 200 && json && typeof (json as ExportChunkAnswer).data === 'string') return { ok: true, chunk: json as ExportChunkAnswer };
  const refusal = json as Partial<ExportChunkRefusal> | undefined;
  if (RELAYED.has(answer.status) && typeof refusal?.code === 'string') return { ok: false, status: answer.status, code: refusal.code, error: String(refusal.error ?? 'Refused.') };
  return { ok: false, status: 503, code: 'SERVICE_UNAVAILABLE', error: 'The export cannot be read right now; try again shortly.' };
}

export function mountDownloadRoute(app: Express, deps: GatewayRouteDeps): void {
  app.get(DOWNLOAD, async (req: Request, res: Response) => {
    const requestId = requestIdOf(req) ?? requestIdFrom(undefined);
    try {
      const id = String(req.params.id ?? '');
      if (!EXPORT_ID.test(id)) return sendError(res, 404, 'EXPORT_NOT_FOUND', 'Checkout export not found.');
      const { expires, signature } = req.query;
      if (typeof expires !== 'string' || typeof signature !== 'string' || expires.length > 20 || signature.length > 128) {
        return sendError(res, 403, 'DOWNLOAD_LINK_INVALID', 'The download link is not valid.');
      }
      const link = { expires, signature };
      const first = await readChunk(deps, requestId, id, 0, link);
      if (!first.ok) {
        if (first.status === 503) res.setHeader('retry-after', '5');
        return sendError(res, first.status, first.code, first.error);
      }
      const { format, kind, chunkCount, byteCount } = first.chunk;
      res.status(200);
      res.setHeader('content-type', CONTENT_TYPES[format] ?? 'application/octet-stream');
      res.setHeader('content-length', String(byteCount));
      res.setHeader('content-disposition', `attachment; filename="${kind}-${id}.${format}"`);
      res.setHeader('cache-control', 'private, no-store');
      let closed = false;
      res.on('close', () => (closed = true));
      if (!res.write(first.chunk.data)) await once(res, 'drain');
      for (let seq = 1; seq < chunkCount && !closed; seq++) {
        const next = await readChunk(deps, requestId, id, seq, link);
        if (!next.ok) {
          // Mid-file (the link expired meanwhile, or checkout-session went away): the client sees a short body.
          deps.logger.warn({ requestId, exportId: id, seq, code: next.code }, 'export download cut short');
          return void res.destroy();
        }
        if (!res.write(next.chunk.data)) await once(res, 'drain');
      }
      res.end();
    } catch (err) {
      deps.logger.error({ err, requestId }, `GET ${DOWNLOAD} failed`);
      if (!res.headersSent) {
        res.setHeader('retry-after', '5');
        sendError(res, 503, 'SERVICE_UNAVAILABLE', 'The export cannot be read right now; try again shortly.');
      } else res.destroy();
    }
  });
}
