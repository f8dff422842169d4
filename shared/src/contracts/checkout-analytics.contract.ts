// Checkout analytics (issue 19 item 6, seed 003 §16): what checkout-session (which owns the data:
// sessions, their timeline, their failures) and the gateway (the REST edge, the download, the
// Prometheus endpoint) say to each other, written once.
//
//   createExport ──► checkout.checkout_exports row + outbox `checkout_export.requested` (one transaction)
//                ──relay──► CHECKOUT_EXPORTS_QUEUE ──► checkout-session's export worker: rows read by
//                keyset pages, written as chunks of CSV / NDJSON (checkout.checkout_export_chunks)
//   GET …/exports/{id}/download?expires&signature (gateway, no API key: the signature is the credential)
//                ──► POST /internal/checkout-exports/:id/chunks/:seq { expires, signature }, one chunk a call
//   GET /metrics (gateway) ──► POST /internal/checkout-metrics/recent: the KPIs of the last 24 h per merchant

/** The queue of export jobs: checkout-session produces (through its outbox) and consumes it. */
export const CHECKOUT_EXPORTS_QUEUE = 'checkout-exports';
/** The outbox topic of a requested export (routed to CHECKOUT_EXPORTS_QUEUE). */
export const CHECKOUT_EXPORT_REQUESTED_TOPIC = 'checkout_export.requested';

/** The outbox row's payload: the export to build (its row holds the rest). */
export interface CheckoutExportRequestedPayload {
  exportId: string;
  merchantId: string;
}

/** The internal route a download reads one chunk of an export's file from (POST, body ExportChunkRequest). */
export const exportChunkPath = (exportId: string, seq: number) => `/internal/checkout-exports/${encodeURIComponent(exportId)}/chunks/${seq}`;

/** A download link's query, passed through as it came (checkout-session verifies it). */
export interface ExportChunkRequest {
  expires: string;
  signature: string;
}

/** 200: one chunk of the file and what the download needs to describe it. */
export interface ExportChunkAnswer {
  exportId: string;
  kind: 'checkout_events' | 'failed_sessions';
  format: 'csv' | 'ndjson';
  chunkCount: number;
  /** The whole file's size in bytes (UTF-8): the download's content-length. */
  byteCount: number;
  seq: number;
  /** The chunk's text: whole rows, UTF-8. */
  data: string;
}

/** A refusal: 403 DOWNLOAD_LINK_INVALID / DOWNLOAD_LINK_EXPIRED, 404 EXPORT_NOT_FOUND, 410 EXPORT_NOT_FOUND (the file expired). */
export interface ExportChunkRefusal {
  code: string;
  error: string;
}

/** The internal route the gateway's /metrics reads the recent KPIs from (POST, empty body). */
export const RECENT_CHECKOUT_KPIS_PATH = '/internal/checkout-metrics/recent';

/** One merchant's KPIs over the window (docs/api.md "Checkout metrics" defines each). */
export interface MerchantCheckoutKpis {
  merchantId: string;
  checkoutInitiated: number;
  paymentAttempts: number;
  threeDSChallenges: number;
  completed: number;
  abandoned: number;
  /** completed / initiated; null when none was initiated. */
  conversionRate: number | null;
  /** abandoned / initiated; null when none was initiated. */
  abandonRate: number | null;
  /** Mean seconds from creation to completion of the completed ones; null when none completed. */
  avgTimeToPurchaseSeconds: number | null;
}

export interface RecentCheckoutKpisAnswer {
  windowSeconds: number;
  merchants: MerchantCheckoutKpis[];
}
