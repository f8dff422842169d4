// Validates ACP responses against the vendored spec schema (schema.agentic_checkout.json, ACP
// 2026-04-17, Apache-2.0): `acpProblems(def, value)` lists the violations (empty when valid).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const schema = JSON.parse(readFileSync(fileURLToPath(new URL('./schema.agentic_checkout.json', import.meta.url)), 'utf8')) as { $id: string };
// `example` keywords are documentation: not strict.
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(schema);

export type AcpDef = 'CheckoutSession' | 'CheckoutSessionWithOrder' | 'Error' | 'CheckoutSessionCreateRequest' | 'CheckoutSessionUpdateRequest' | 'CheckoutSessionCompleteRequest';

export function acpProblems(def: AcpDef, value: unknown): string[] {
  const validate = ajv.getSchema(`${schema.$id}#/$defs/${def}`);
  if (!validate) throw new Error(`no $defs/${def} in the ACP schema`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
