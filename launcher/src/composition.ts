// Composes the subgraphs' SDL into the supergraph (what the gateway loads) and the public API
// schema (what codegen and clients read), with @apollo/composition in-process.
import { composeServices } from '@apollo/composition';
import { parse, printSchema } from 'graphql';

export interface SubgraphSdl {
  name: string;
  url: string;
  sdl: string;
}

export interface ComposedGraph {
  supergraphSdl: string;
  apiSchemaSdl: string;
}

export class CompositionError extends Error {
  constructor(readonly details: string[]) {
    super(`Supergraph composition failed:\n  ${details.join('\n  ')}`);
    this.name = 'CompositionError';
  }
}

export function composeSupergraph(subgraphs: SubgraphSdl[]): ComposedGraph {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) throw new CompositionError(result.errors.map((e) => e.message));
  const apiSchemaSdl = printSchema(result.schema.toAPISchema().toGraphQLJSSchema());
  return { supergraphSdl: result.supergraphSdl, apiSchemaSdl: `${apiSchemaSdl}\n` };
}
