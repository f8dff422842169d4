// Developer-machine secrets, generated once and kept in .data/ so restarts keep working:
// the admin key, the internal signing secret, the encryption key, the attribution signing keys.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateApiKey } from '@handoff/shared';
import { generateAttributionKeys, type AttributionKeys } from '../start.js';

export interface DevSecrets {
  adminKey: string;
  internalSecret: string;
  encryptionKey: string;
  attributionKeys: AttributionKeys;
}

export async function loadDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = path.join(dataDir, 'secrets.json');
  const existing = await readFile(file, 'utf8').then(
    (s) => JSON.parse(s) as Partial<DevSecrets>,
    () => ({}) as Partial<DevSecrets>,
  );
  const secrets: DevSecrets = {
    adminKey: existing.adminKey ?? generateApiKey('ADMIN').key,
    internalSecret: existing.internalSecret ?? randomBytes(32).toString('base64url'),
    encryptionKey: existing.encryptionKey ?? randomBytes(32).toString('base64'),
    attributionKeys: existing.attributionKeys ?? generateAttributionKeys(),
  };
  if (JSON.stringify(existing) !== JSON.stringify(secrets)) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}
