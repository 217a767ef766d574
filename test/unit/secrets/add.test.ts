// Adding the keys `orbis import` found to an existing secrets file: appended, encrypted to the
// same recipients, readable by the inventory's { secret: NAME }; never over a name in use.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/redact/secret.js';
import { addSecrets } from '../../../src/secrets/add.js';
import { loadSecrets } from '../../../src/secrets/index.js';
import { configErrorOfAsync, DLIVE_KEY, KICK_KEY, placesIn, scratch, secretsFileHolding } from './helpers.js';

describe('addSecrets', () => {
  it('appends the values, keeps the others, and stays encrypted', async () => {
    const { places } = await secretsFileHolding('salon_dlive: old-value-1\n');
    await addSecrets([{ name: 'cuisine_dlive', value: new Secret(DLIVE_KEY) }, { name: 'cuisine_kick', value: new Secret(KICK_KEY) }], 'keys of cuisine', places);
    const secrets = await loadSecrets(places);
    expect([...secrets].map(([name, value]) => [name, value.reveal()])).toEqual([
      ['salon_dlive', 'old-value-1'],
      ['cuisine_dlive', DLIVE_KEY],
      ['cuisine_kick', KICK_KEY],
    ]);
    const onDisk = readFileSync(places.file, 'utf8');
    expect(onDisk).not.toContain(DLIVE_KEY);
    expect(onDisk).not.toContain(KICK_KEY);
  });

  it('never replaces a name in use, and changes nothing then', async () => {
    const { places } = await secretsFileHolding('salon_kick: old-value-2\n');
    const before = readFileSync(places.file);
    const error = await configErrorOfAsync(addSecrets([{ name: 'salon_kick', value: new Secret(KICK_KEY) }], 'x', places));
    expect(error.message).toMatch(/salon_kick: is already in the secrets file/);
    expect(error.message).not.toContain(KICK_KEY);
    expect(readFileSync(places.file).equals(before)).toBe(true);
  });

  it('needs the file to exist', async () => {
    const error = await configErrorOfAsync(addSecrets([{ name: 'a', value: new Secret('b') }], 'x', placesIn(scratch())));
    expect(error.message).toMatch(/no such secrets file \(hint: create it first with `orbis secrets init`/);
  });
});
