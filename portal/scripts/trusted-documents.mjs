#!/usr/bin/env node
// `npm run trusted-documents [-- <out.json>]`: the trusted-documents manifest of the repository's own
// clients (docs/persisted-documents.md), in Apollo's persisted query manifest format
// (`apollo-persisted-query-manifest`, version 1), for the gateway's TRUSTED_DOCUMENTS_PATH:
// - the merchant portal's operations (portal/src/generated/graphql.ts, from portal/src/operations)
//   as the portal's urql client sends them: `__typename` added by its cache, printed by urql;
// - the end-to-end tests' operations (test/generated/graphql.ts, from test/operations) as
//   test/support/client.ts sends them (graphql-js `print`).
// Each id is the sha256 of the exact text sent, so hash-only requests and texts both match.
// Run `npm run codegen` first when operations changed.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequest, formatDocument, stringifyDocument } from '@urql/core';
import { print } from 'graphql';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_OUT = `${root}gateway/trusted-documents.json`;

/** The typed documents (`export const XDocument = {…} as unknown as DocumentNode<…>`) of a codegen file. */
export function extractDocuments(source) {
  const docs = [];
  for (const m of source.matchAll(/^export const (\w+)Document = (\{.*\}) as unknown as DocumentNode</gm)) docs.push({ name: m[1], document: JSON.parse(m[2]) });
  return docs;
}

/** The `query` text the portal's urql client (portal/src/api/graphql-client.ts) sends for a document. */
export function portalOperationText(document) {
  return stringifyDocument(formatDocument(createRequest(document, {}).query));
}

/** The `query` text test/support/client.ts sends for a document. */
export function testOperationText(document) {
  return print(document);
}

export const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

export function buildManifest() {
  const operations = new Map();
  const add = (file, textOf) => {
    for (const { document } of extractDocuments(readFileSync(`${root}${file}`, 'utf8'))) {
      const op = document.definitions.find((d) => d.kind === 'OperationDefinition');
      if (!op) continue;
      const body = textOf(document);
      const id = sha256(body);
      operations.set(id, { id, name: op.name?.value ?? '', type: op.operation, body });
    }
  };
  add('portal/src/generated/graphql.ts', portalOperationText);
  add('test/generated/graphql.ts', testOperationText);
  return { format: 'apollo-persisted-query-manifest', version: 1, operations: [...operations.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? DEFAULT_OUT;
  const manifest = buildManifest();
  writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`trusted-documents: ${manifest.operations.length} operations written to ${out}`);
}
