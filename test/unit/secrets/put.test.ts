// Storing keys in the secrets file without an editor (orbis init): created when absent, added
// beside what is there, a name already there refused unless replacing, never a value in an error.
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/redact/secret.js';
import { loadSecrets } from '../../../src/secrets/index.js';
import { putSecrets } from '../../../src/secrets/put.js';
import { configErrorOfAsync, DLIVE_KEY, KICK_KEY, placesIn, scratch } from './helpers.js';

const reveal = (m: Map<string, Secret>) => Object.fromEntries([...m].map(([k, v]) => [k, v.reveal()]));

describe('putSecrets', () => {
  it('creates the identity and the file when there are none, then stores the entries encrypted', async () => {
    const places = placesIn(scratch());
    const notes = await putSecrets(new Map([['salon_dlive', new Secret(DLIVE_KEY)]]), places);
    expect(notes.join('\n')).toMatch(/created the identity .*\n(.*\n)*.*stored salon_dlive in .*secrets\.age \(encrypted\)$/);
    expect(statSync(places.identity).mode & 0o777).toBe(0o600);
    expect(readFileSync(places.file, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    expect(readFileSync(places.file, 'utf8')).not.toContain(DLIVE_KEY);
    expect(reveal(await loadSecrets(places))).toEqual({ salon_dlive: DLIVE_KEY });
  });

  it('adds beside existing secrets; a name already there is refused (with where), or replaced when told', async () => {
    const places = placesIn(scratch());
    await putSecrets(new Map([['salon_dlive', new Secret(DLIVE_KEY)], ['salon_kick', new Secret(KICK_KEY)]]), places);
    const clash = await configErrorOfAsync(putSecrets(new Map([['salon_kick', new Secret('sk_newKey1')]]), places));
    expect(clash.message).toMatch(/secrets\.age:\d+:\d+: salon_kick: is already in the secrets file \(hint: add --force/);
    expect(clash.message).not.toContain(KICK_KEY);
    expect(clash.message).not.toContain('sk_newKey1');
    await putSecrets(new Map([['salon_kick', new Secret('sk_newKey1')], ['cuisine_dlive', new Secret("it's")]]), { ...places, replace: true });
    expect(reveal(await loadSecrets(places))).toEqual({ salon_dlive: DLIVE_KEY, salon_kick: 'sk_newKey1', cuisine_dlive: "it's" });
  });

  it('refuses a name the inventory could not refer to, before touching anything', async () => {
    const places = placesIn(scratch());
    const error = await configErrorOfAsync(putSecrets(new Map([['salon-dlive', new Secret(DLIVE_KEY)]]), places));
    expect(error.message).toMatch(/salon-dlive: is not a secret name/);
    expect(() => statSync(places.file)).toThrow();
  });
});
