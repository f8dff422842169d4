// The billing REST edge's base path, in a module of its own: index.ts mounts the routes and
// card-update-link.ts is one of them, so neither imports the other for it.
export const SUBSCRIPTIONS = '/v1/subscriptions';
