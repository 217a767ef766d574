import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostsFor } from '../../../src/cli/targets.js';
import { isSecret } from '../../../src/redact/secret.js';
import { KICK_KEY, placesIn, scratch, secretsFileHolding } from '../secrets/helpers.js';

const inventory = (dir: string, kickValue: string): string => {
  const file = join(dir, 'fleet.yaml');
  writeFileSync(file, ['hosts:', '  salon:', '    address: 10.0.0.5', '    vars:', `      KICK_CLE_FLUX: ${kickValue}`, '  cuisine:', '    address: 10.0.0.6', ''].join('\n'));
  return file;
};

describe('hostsFor -i', () => {
  it('opens the secrets file for the secrets the selected hosts refer to', async () => {
    const { dir, places } = await secretsFileHolding(`salon_kick: ${KICK_KEY}\n`);
    const hosts = await hostsFor([], { inventory: [inventory(dir, '{ secret: salon_kick }')], secrets: places.file, identity: places.identity }, places.env);
    const value = hosts.find((h) => h.name === 'salon')?.layers?.at(-1)?.values['KICK_CLE_FLUX'];
    expect(isSecret(value) && value.reveal()).toBe(KICK_KEY);
  });

  it('never opens the secrets file when no selected host refers to a secret', async () => {
    const dir = scratch();
    const places = placesIn(dir);
    // The secrets file and identity do not exist: opening them would fail.
    const file = inventory(dir, '{ secret: salon_kick }');
    const hosts = await hostsFor([], { inventory: [file], limit: 'cuisine', secrets: places.file, identity: places.identity }, places.env);
    expect(hosts.map((h) => h.name)).toEqual(['cuisine']);
    await expect(hostsFor([], { inventory: [file], limit: 'salon', secrets: places.file, identity: places.identity }, places.env)).rejects.toThrow();
  });
});
