/** The Node options the image gives every Handoff process (the Dockerfile's NODE_OPTIONS): the benches start them the same way. */
export const PRODUCTION_NODE_OPTIONS = '--max-semi-space-size=8';
