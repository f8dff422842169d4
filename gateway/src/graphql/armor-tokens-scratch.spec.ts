import { ApolloServer } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { it } from 'vitest';
it('x', async () => {
  const armor = new ApolloArmor({ maxTokens: { n: 20 }, maxDepth: { enabled: false }, costLimit: { enabled: false }, maxAliases: { enabled: false }, maxDirectives: { enabled: false } });
  const p = armor.protect();
  const s = new ApolloServer({ typeDefs: 'type Query { a: Int }', resolvers: { Query: { a: () => 1 } }, plugins: p.plugins as never, validationRules: p.validationRules as never });
  await s.start();
  for (const q of [')(*&garbage', '{ a '.repeat(30), '{ a }']) {
    const r = await s.executeOperation({ query: q });
    console.log(r.http.status, JSON.stringify(r.body).slice(0, 200));
  }
  await s.stop();
});
