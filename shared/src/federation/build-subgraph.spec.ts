import { composeServices } from '@apollo/composition';
import { graphql, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { Arg, Ctx, Directive, Field, ID, ObjectType, Query, Resolver } from 'type-graphql';
import { buildFederatedSchema, FEDERATION_LINK, instanceContainer } from './build-subgraph.js';

interface Ctx {
  tenant: string;
}

@ObjectType('Widget')
@Directive('@key(fields: "id")')
class Widget {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field({ nullable: true }) @Directive('@inaccessible') secret?: string;
}

@Resolver(() => Widget)
class WidgetResolver {
  constructor(private readonly prefix: string) {}

  @Query(() => Widget, { nullable: true })
  widget(@Arg('id', () => ID) id: string, @Ctx() ctx: Ctx): Widget {
    return Object.assign(new Widget(), { id, name: `${this.prefix}${id}@${ctx.tenant}` });
  }
}

class OtherResolver {}

const build = () =>
  buildFederatedSchema<Ctx>({
    resolvers: [WidgetResolver],
    container: instanceContainer([new WidgetResolver('w-')]),
    referenceResolvers: {
      Widget: (ref, ctx) => Object.assign(new Widget(), { id: ref.id, name: `ref ${String(ref.id)} for ${ctx.tenant}` }),
    },
  });

describe('buildFederatedSchema', () => {
  it('prints a Federation 2 SDL: the @link first, @key and @inaccessible kept', async () => {
    const { sdl } = await build();
    expect(sdl.startsWith(FEDERATION_LINK)).toBe(true);
    expect(FEDERATION_LINK).toMatch(/specs\.apollo\.dev\/federation\/v2\.\d+/);
    expect(sdl).toMatch(/type Widget @key\(fields: "id"\)/);
    expect(sdl).toMatch(/secret: String @inaccessible/);
  });

  it('runs type-graphql resolvers with the constructed instances and the request context', async () => {
    const { schema } = await build();
    const r = await graphql({ schema, source: '{ widget(id: "7") { id name } }', contextValue: { tenant: 't1' } });
    expect(r).toEqual({ data: { widget: { id: '7', name: 'w-7@t1' } } });
  });

  it('answers _entities through the reference resolver, and _service with the SDL', async () => {
    const { schema, sdl } = await build();
    const r = await graphql({
      schema,
      source: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Widget { id name } } _service { sdl } }',
      variableValues: { r: [{ __typename: 'Widget', id: '9' }] },
      contextValue: { tenant: 't2' },
    });
    expect(r.errors).toBeUndefined();
    const data = r.data as { _entities: unknown[]; _service: { sdl: string } };
    expect(data._entities).toEqual([{ id: '9', name: 'ref 9 for t2' }]);
    expect(data._service.sdl).toContain('@key(fields: "id")');
    expect(sdl).toContain('type Query');
  });

  it('composes as a Federation 2 subgraph; @inaccessible fields stay out of the API schema', async () => {
    const { sdl } = await build();
    const result = composeServices([{ name: 'widgets', url: 'http://widgets.invalid/graphql', typeDefs: parse(sdl) }]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.supergraphSdl).toMatch(/join__Graph/);
    const api = result.schema!.toAPISchema().toGraphQLJSSchema();
    const widget = api.getType('Widget') as { getFields(): Record<string, unknown> };
    expect(Object.keys(widget.getFields()).sort()).toEqual(['id', 'name']);
  });
});

describe('instanceContainer', () => {
  it('hands out the registered instance, and refuses an unregistered class (a wiring bug)', () => {
    const resolver = new WidgetResolver('x');
    const container = instanceContainer([resolver]);
    expect(container.get(WidgetResolver, {} as never)).toBe(resolver);
    expect(() => container.get(OtherResolver, {} as never)).toThrow('No resolver instance registered for OtherResolver');
  });
});
