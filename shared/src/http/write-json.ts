// A JSON answer on plain node:http, as express's res.json writes it. Nothing is written once the
// response has started or its socket is gone.
import type { ServerResponse } from 'node:http';

export interface WriteJsonOptions {
  headers?: Record<string, string>;
  /** The request's body was not read (refused early): do not keep the connection. */
  close?: boolean;
}

export function writeJson(res: ServerResponse, status: number, body: unknown, opts: WriteJsonOptions = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [k, v] of Object.entries(opts.headers ?? {})) res.setHeader(k, v);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  if (opts.close) res.setHeader('connection', 'close');
  res.end(text);
}
