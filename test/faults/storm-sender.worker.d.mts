// Types of storm-sender.worker.mjs (plain JavaScript: it runs on a worker thread, outside vitest's transforms).
export declare const SHED_ERROR: string;
export declare const SHED_FAILURE: string;
export declare const RETRY_BASE_MS: number;
export declare const RETRY_CAP_MS: number;
export declare function sign(secret: string, body: string, t?: number): string;
export declare function retryDelayMs(failures: number, retryAfterMs: number | null, random?: () => number): number;
