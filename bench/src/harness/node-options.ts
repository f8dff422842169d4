/**
 * The Node options docker-compose.yml gives the subgraph and worker services (not the gateway):
 * V8's young generation capped at 8 MiB semi-spaces. The harness starts them the same way.
 */
export const SUBGRAPH_NODE_OPTIONS = '--max-semi-space-size=8';
