// `npm run keys:attribution`: prints a fresh Ed25519 pair for attribution (AAP) codes as .env
// lines: the private key for checkout-session, the public keys for conversion-ledger.
// Rotation: give the new pair another key id and keep the old public key in AAP_PUBLIC_KEYS.
import { fileURLToPath } from 'node:url';
import { generateAttributionKeys } from './start.js';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const keyId = process.argv[2] ?? 'k1';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(keyId)) {
    console.error('usage: npm run keys:attribution -- [key id: letters, digits, _ . -]');
    process.exit(1);
  }
  const keys = generateAttributionKeys(keyId);
  console.log(`AAP_SIGNING_KEY_ID=${keys.keyId}`);
  console.log(`AAP_SIGNING_KEY=${keys.privateKey}`);
  console.log(`AAP_PUBLIC_KEYS='${JSON.stringify(keys.publicKeys)}'`);
}
