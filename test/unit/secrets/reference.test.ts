import { describe, expect, it } from 'vitest';
import { openSecrets, resolveSecretReference, secretStoreFor } from '../../../src/secrets/index.js';
import { answering, configErrorOfAsync, DLIVE_KEY, expectNoneOf, KICK_KEY, PASSPHRASE, placesIn, scratch, secretsFileHolding } from './helpers.js';

const AT = { file: 'inventory/fleet.yaml', line: 7, col: 23 };

async function passphraseFile() {
  const text = `salon_dlive: ${DLIVE_KEY}\ncuisine_kick: '${KICK_KEY}'\n`;
  return (await secretsFileHolding(text, { newPassphrase: answering(PASSPHRASE).ask, workFactor: 10 })).places;
}

describe('{ env: NAME }', () => {
  it('gives a Secret labelled with the variable', async () => {
    const secret = await resolveSecretReference({ env: 'SALON_KEY' }, { env: { SALON_KEY: DLIVE_KEY } });
    expect(secret.reveal()).toBe(DLIVE_KEY);
    expect(secret.origin).toBe('environment SALON_KEY');
    expect(JSON.stringify({ secret })).not.toContain(DLIVE_KEY);
  });

  it('an unset variable: where the reference is, and the closest variable set', async () => {
    const error = await configErrorOfAsync(resolveSecretReference({ env: 'SALON_KY' }, { env: { SALON_KEY: DLIVE_KEY, OTHER: KICK_KEY }, at: AT, variable: 'DLIVE_CLE_FLUX' }));
    expect(error.message).toBe('inventory/fleet.yaml:7:23: DLIVE_CLE_FLUX: refers to the environment variable SALON_KY, which is not set (hint: did you mean SALON_KEY? otherwise export SALON_KY=... before running orbis)');
    expectNoneOf(error.message, [DLIVE_KEY, KICK_KEY]);
  });

  it('never opens the secrets file', async () => {
    const { ask, asked } = answering(PASSPHRASE);
    const places = await passphraseFile();
    const file = openSecrets({ ...places, askPassphrase: ask });
    await resolveSecretReference({ env: 'X' }, { env: { X: 'y' }, secrets: file });
    expect(asked).toEqual([]);
  });
});

describe('{ secret: NAME }', () => {
  it('decrypts lazily, once, however many references', async () => {
    const places = await passphraseFile();
    const { ask, asked } = answering(PASSPHRASE);
    const file = openSecrets({ ...places, askPassphrase: ask });
    expect(asked).toEqual([]);
    const dlive = await resolveSecretReference({ secret: 'salon_dlive' }, { secrets: file });
    const kick = await resolveSecretReference({ secret: 'cuisine_kick' }, { secrets: file });
    expect([dlive.reveal(), kick.reveal()]).toEqual([DLIVE_KEY, KICK_KEY]);
    expect(asked).toHaveLength(1);
  });

  it('an unknown name: did you mean, or the names there are', async () => {
    const places = await passphraseFile();
    const file = openSecrets({ ...places, askPassphrase: answering(PASSPHRASE).ask });
    const near = await configErrorOfAsync(resolveSecretReference({ secret: 'salon_dlvie' }, { secrets: file, at: AT, variable: 'DLIVE_CLE_FLUX' }));
    expect(near.message).toBe(`inventory/fleet.yaml:7:23: DLIVE_CLE_FLUX: refers to the secret salon_dlvie, which ${places.file} does not hold (hint: did you mean salon_dlive?)`);
    const far = await configErrorOfAsync(resolveSecretReference({ secret: 'garage' }, { secrets: file, at: AT }));
    expect(far.message).toMatch(/holds salon_dlive, cuisine_kick; add garage with `orbis secrets edit`/);
    expectNoneOf(near.message + far.message, [DLIVE_KEY, KICK_KEY]);
  });

  it('no secrets file: says how to make one', async () => {
    const dir = scratch();
    const error = await configErrorOfAsync(resolveSecretReference({ secret: 'a' }, { secrets: openSecrets(placesIn(dir)), at: AT }));
    expect(error.message).toMatch(/refers to the secret a, but there is no secrets file .*create one with `orbis secrets init`/);
  });

  it('a store for the inventory decrypts only when some host refers to a secret', async () => {
    const places = await passphraseFile();
    const { ask, asked } = answering(PASSPHRASE);
    const file = openSecrets({ ...places, askPassphrase: ask });
    expect(await secretStoreFor([], file)).toBeUndefined();
    expect(asked).toEqual([]);
    const store = await secretStoreFor(['salon_dlive'], file);
    expect(store?.describe).toBe(places.file);
    expect(store?.get('salon_dlive')).toBe(DLIVE_KEY);
    expect(store?.get('nope')).toBeUndefined();
  });
});
