// `orbis secrets add-recipient`: a backup identity (or someone's key) that opens the secrets too,
// tried before the command says it worked; the controller's own identity keeps working.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as age from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { addRecipient, initSecrets, loadSecrets, rekeySecrets } from '../../../src/secrets/index.js';
import { answering, configErrorOfAsync, DLIVE_KEY, expectNoneOf, KICK_KEY, PASSPHRASE, placesIn, scratch, secretsFileHolding } from './helpers.js';

const PLAIN = `salon_dlive: ${DLIVE_KEY}\ncuisine_kick: '${KICK_KEY}'\n`;
const haveAgeCli = spawnSync('age', ['--version']).status === 0;

describe('orbis secrets add-recipient', () => {
  it('--new-identity makes a backup identity that opens every secret, and lists its key for commit', async () => {
    const { dir, places } = await secretsFileHolding(PLAIN);
    const backup = join(dir, 'usb', 'orbis-backup.txt');
    const out = await addRecipient({ ...places, newIdentity: backup });

    expect(statSync(backup).mode & 0o777).toBe(0o600);
    const backupSecrets = await loadSecrets({ ...places, identity: backup });
    expect(backupSecrets.get('salon_dlive')?.reveal()).toBe(DLIVE_KEY);
    expect(backupSecrets.get('cuisine_kick')?.reveal()).toBe(KICK_KEY);
    // The controller's identity still opens it.
    expect((await loadSecrets(places)).get('cuisine_kick')?.reveal()).toBe(KICK_KEY);

    const publicKey = /^public key: (age1[a-z0-9]+)\n$/.exec(out.stdout)?.[1];
    expect(publicKey).toBeDefined();
    const listed = readFileSync(join(dir, 'conf', 'secrets.recipients'), 'utf8').split('\n').filter((l) => l.startsWith('age1'));
    expect(listed).toHaveLength(2);
    expect(listed[1]).toBe(publicKey);
    expect(out.stderr).toMatch(/keep it away from this machine/);
    expectNoneOf(out.stdout + out.stderr, [DLIVE_KEY, KICK_KEY, readFileSync(backup, 'utf8').match(/AGE-SECRET-KEY-1\w+/)![0]]);

    // A later rekey keeps the backup: it is in the recipients file, not only in the ciphertext.
    await rekeySecrets(places);
    expect((await loadSecrets({ ...places, identity: backup })).get('salon_dlive')?.reveal()).toBe(DLIVE_KEY);
  });

  it('a passphrase-protected backup asks for the passphrase to open', async () => {
    const { dir, places } = await secretsFileHolding(PLAIN);
    const backup = join(dir, 'orbis-backup.age');
    const { ask } = answering(PASSPHRASE);
    const out = await addRecipient({ ...places, newIdentity: backup, newPassphrase: async () => ask('new'), workFactor: 10 });
    expect(out.stderr).toMatch(/protected by your passphrase/);
    expect(readFileSync(backup, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    const opener = answering(PASSPHRASE);
    expect((await loadSecrets({ ...places, identity: backup, askPassphrase: opener.ask })).get('salon_dlive')?.reveal()).toBe(DLIVE_KEY);
    expect(opener.asked).toHaveLength(1);
  });

  it.skipIf(!haveAgeCli)('the age CLI opens the file with the backup identity', async () => {
    const { dir, places } = await secretsFileHolding(PLAIN);
    const backup = join(dir, 'backup.txt');
    await addRecipient({ ...places, newIdentity: backup });
    const opened = spawnSync('age', ['-d', '-i', backup, places.file], { encoding: 'utf8' });
    expect(opened.status).toBe(0);
    expect(opened.stdout).toBe(PLAIN);
  });

  it('adds someone\'s public key; a key already there is a no-op; a bad one is refused, unsaved', async () => {
    const { dir, places } = await secretsFileHolding(PLAIN);
    const theirs = await age.generateX25519Identity();
    const theirKey = await age.identityToRecipient(theirs);
    await addRecipient({ ...places, recipient: theirKey });
    const theirFile = join(dir, 'theirs.txt');
    writeFileSync(theirFile, `${theirs}\n`, { mode: 0o600 });
    expect((await loadSecrets({ ...places, identity: theirFile })).get('salon_dlive')?.reveal()).toBe(DLIVE_KEY);

    const before = readFileSync(places.file, 'utf8');
    const again = await addRecipient({ ...places, recipient: theirKey });
    expect(again.stderr).toMatch(/already a recipient.*nothing to do/);
    expect(readFileSync(places.file, 'utf8')).toBe(before);

    const refused = await configErrorOfAsync(addRecipient({ ...places, recipient: 'ssh-ed25519 AAAAC3Nza' }));
    expect(refused.message).toMatch(/not an age public key.*SSH keys are not supported/);
    expect(readFileSync(places.file, 'utf8')).toBe(before);
  });

  it('refuses to add when this identity cannot open the file, and creates no identity then', async () => {
    const { dir, places } = await secretsFileHolding(PLAIN);
    const stranger = join(dir, 'stranger.txt');
    writeFileSync(stranger, `${await age.generateX25519Identity()}\n`, { mode: 0o600 });
    const backup = join(dir, 'backup.txt');
    const error = await configErrorOfAsync(addRecipient({ ...places, identity: stranger, newIdentity: backup }));
    expect(error.message).toMatch(/was not encrypted to the identity/);
    expect(existsSync(backup)).toBe(false);
  });

  it('never writes over an existing identity, and needs exactly one of a key or --new-identity', async () => {
    const { places } = await secretsFileHolding(PLAIN);
    const before = readFileSync(places.file, 'utf8');
    expect((await configErrorOfAsync(addRecipient({ ...places, newIdentity: places.identity }))).message).toMatch(/already exists; orbis never replaces an identity/);
    expect((await configErrorOfAsync(addRecipient({ ...places }))).message).toMatch(/needs either a public key/);
    expect(readFileSync(places.file, 'utf8')).toBe(before);
  });

  it('init says every secret depends on the new identity and how to make a backup one', async () => {
    const dir = scratch();
    const out = await initSecrets(placesIn(dir));
    expect(out.stderr).toMatch(/every secret in it depends on this identity/);
    expect(out.stderr).toMatch(/orbis secrets add-recipient --new-identity/);
  });
});
