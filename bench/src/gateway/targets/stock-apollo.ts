// Target (b): stock @apollo/gateway behind Apollo Server's standalone server, default options.
// Reads SUPERGRAPH_PATH (subgraph URLs inside it: the fixtures' open ports) and listens on PORT.
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const gateway = new ApolloGateway({ supergraphSdl: readFileSync(process.env.SUPERGRAPH_PATH!, 'utf8') });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env.PORT), host: '127.0.0.1' } });
console.log(`READY ${url}`);
process.on('SIGTERM', () => process.exit(0));
