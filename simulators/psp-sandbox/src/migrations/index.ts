// The sandbox PSP's migrations (schema `sandbox`), oldest first.
import { Sandbox1795400000000 } from './1795400000000-sandbox.js';
import { SandboxFingerprintsIdentity1795500800000 } from './1795500800000-fingerprints-identity.js';
import { SandboxIdempotencyKeys1795600000000 } from './1795600000000-idempotency-keys.js';
import { SandboxOutboxJobKey1796000000000 } from './1796000000000-outbox-job-key.js';

export const migrations: Function[] = [Sandbox1795400000000, SandboxFingerprintsIdentity1795500800000, SandboxIdempotencyKeys1795600000000, SandboxOutboxJobKey1796000000000];
