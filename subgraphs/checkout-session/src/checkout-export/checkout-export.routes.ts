// The signed internal route a download reads an export's file through, one chunk a call
// (shared/src/contracts/checkout-analytics.contract.ts): POST /internal/checkout-exports/:id/chunks/:seq
// with the link's { expires, signature } as the body. The gateway's download route is its only
// caller (a SERVICE principal); the link is checked on every chunk.
import type { ExportChunkRequest, InternalRoute, Logger } from '@handoff/shared';
import type { CheckoutExportService } from './checkout-export.service.js';

export function checkoutExportRoutes(exports: CheckoutExportService, logger: Logger): InternalRoute[] {
  return [
    {
      path: '/checkout-exports/:exportId/chunks/:seq',
      async handle(req) {
        if (req.principal.kind !== 'SERVICE') return { status: 403, body: { code: 'FORBIDDEN', error: 'forbidden' } };
        let link: Partial<ExportChunkRequest>;
        try {
          link = JSON.parse(req.rawBody.toString('utf8') || '{}') as Partial<ExportChunkRequest>;
        } catch {
          return { status: 403, body: { code: 'DOWNLOAD_LINK_INVALID', error: 'The download link is not valid.' } };
        }
        const exportId = req.params.exportId ?? '';
        const seq = /^[0-9]{1,9}$/.test(req.params.seq ?? '') ? Number(req.params.seq) : -1;
        if (exportId.length > 100) return { status: 404, body: { code: 'EXPORT_NOT_FOUND', error: 'Checkout export not found.' } };
        try {
          const read = await exports.chunk(exportId, seq, { expires: link?.expires, signature: link?.signature });
          return read.ok ? { status: 200, body: read.answer } : { status: read.status, body: { code: read.code, error: read.error } };
        } catch (err) {
          logger.error({ err, exportId, seq }, 'export chunk could not be read');
          return { status: 503, body: { code: 'SERVICE_UNAVAILABLE', error: 'temporarily unavailable' } };
        }
      },
    },
  ];
}
