import type { DocumentNode } from 'graphql';

export declare const DEFAULT_OUT: string;
export declare function extractDocuments(source: string): Array<{ name: string; document: DocumentNode }>;
export declare function portalOperationText(document: DocumentNode): string;
export declare function testOperationText(document: DocumentNode): string;
export declare function sha256(text: string): string;
export interface ManifestOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}
export declare function buildManifest(): { format: 'apollo-persisted-query-manifest'; version: 1; operations: ManifestOperation[] };
