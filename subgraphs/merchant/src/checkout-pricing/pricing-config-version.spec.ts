// A changed pricing configuration gets a new version token under the shared key; Redis failing or
// not answering is logged and never fails the (already committed) change.
import { pricingConfigVersionKey, type Logger } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { RedisPricingConfigVersions, type VersionStore } from './pricing-config-version.js';

function recordingLogger() {
  const warnings: Array<{ obj: unknown; msg: string }> = [];
  const logger = { warn: (obj: unknown, msg: string) => warnings.push({ obj, msg }) } as unknown as Logger;
  return { logger, warnings };
}

describe('RedisPricingConfigVersions', () => {
  it('sets a new token under the merchant\'s key at each change', async () => {
    const sets: Array<[string, string]> = [];
    const store: VersionStore = { set: async (k, v) => sets.push([k, v]) };
    const { logger, warnings } = recordingLogger();
    const versions = new RedisPricingConfigVersions(store, 'pfx', logger);
    await versions.changed('mer_1');
    await versions.changed('mer_1');
    expect(sets.map(([k]) => k)).toEqual([pricingConfigVersionKey('pfx', 'mer_1'), 'pfx:pricing-config-version:mer_1']);
    expect(sets[0]![1]).not.toBe(sets[1]![1]);
    expect(warnings).toEqual([]);
  });

  it('logs and resolves when Redis refuses the command', async () => {
    const { logger, warnings } = recordingLogger();
    const versions = new RedisPricingConfigVersions({ set: () => Promise.reject(new Error('connection refused')) }, 'pfx', logger);
    await expect(versions.changed('mer_1')).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.obj).toMatchObject({ merchantId: 'mer_1' });
  });

  it('logs and resolves when Redis does not answer within a second', async () => {
    const { logger, warnings } = recordingLogger();
    const versions = new RedisPricingConfigVersions({ set: () => new Promise(() => undefined) }, 'pfx', logger);
    await expect(versions.changed('mer_1')).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
  });
});
