// Target (c): Hive Gateway's runtime (`@graphql-hive/gateway-runtime`) with its defaults, served
// by node:http. Reads SUPERGRAPH_PATH (subgraph URLs inside it: the fixtures' open ports).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';

const runtime = createGatewayRuntime({ supergraph: readFileSync(process.env.SUPERGRAPH_PATH!, 'utf8') });
const server = createServer(runtime);
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`READY http://127.0.0.1:${process.env.PORT}/graphql`));
process.on('SIGTERM', () => process.exit(0));
