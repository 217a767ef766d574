import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as age from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { decryptSecrets, encryptSecretsFile, initSecrets, listSecrets, loadSecrets, rekeySecrets } from '../../../src/secrets/index.js';
import { answering, configErrorOfAsync, DLIVE_KEY, expectNoneOf, KICK_KEY, PASSPHRASE, placesIn, scratch, secretsFileHolding } from './helpers.js';

const PLAIN = `# test\nsalon_dlive: ${DLIVE_KEY}\ncuisine_kick: '${KICK_KEY}'\n`;
const haveAgeCli = spawnSync('age', ['--version']).status === 0;

const keyFileSetup = () => secretsFileHolding(PLAIN);

describe('with a key-file identity', () => {
  it('init makes a private identity (0600 in a 0700 directory) and an armored, empty secrets file', async () => {
    const dir = scratch();
    const places = placesIn(dir);
    const out = await initSecrets(places);
    expect(statSync(places.identity).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'home', '.config', 'orbis')).mode & 0o777).toBe(0o700);
    const identityText = readFileSync(places.identity, 'utf8');
    expect(identityText).toMatch(/^# created: .*\n# public key: age1[a-z0-9]+\nAGE-SECRET-KEY-1[A-Z0-9]+\n$/);
    const armored = readFileSync(places.file, 'utf8');
    expect(armored.startsWith('-----BEGIN AGE ENCRYPTED FILE-----\n')).toBe(true);
    expect(armored.trimEnd().endsWith('-----END AGE ENCRYPTED FILE-----')).toBe(true);
    // The age format: version line, then one X25519 stanza for the one recipient.
    const header = Buffer.from(age.armor.decode(armored)).toString('latin1');
    expect(header.startsWith('age-encryption.org/v1\n-> X25519 ')).toBe(true);
    expect(await loadSecrets(places)).toEqual(new Map());
    expect(out.stdout).toMatch(/^public key: age1/);
    expectNoneOf(out.stdout + out.stderr, [identityText.split('\n')[2]!]);
  });

  it('round-trips: encrypt a clear file, load the Secrets, list the names, decrypt with --reveal', async () => {
    const { places } = await keyFileSetup();
    const secrets = await loadSecrets(places);
    expect([...secrets.keys()]).toEqual(['salon_dlive', 'cuisine_kick']);
    expect(secrets.get('salon_dlive')?.reveal()).toBe(DLIVE_KEY);
    expect(secrets.get('cuisine_kick')?.reveal()).toBe(KICK_KEY);
    expect(String(secrets.get('salon_dlive'))).toBe('********');
    expect(secrets.get('salon_dlive')?.origin).toBe(`secret salon_dlive (${places.file})`);

    const listed = await listSecrets(places);
    expect(listed.stdout).toBe('salon_dlive\ncuisine_kick\n');
    const json = await listSecrets({ ...places, json: true });
    expect(JSON.parse(json.stdout)).toMatchObject({ names: ['salon_dlive', 'cuisine_kick'] });
    expectNoneOf(listed.stdout + listed.stderr + json.stdout, [DLIVE_KEY, KICK_KEY]);

    const refused = await configErrorOfAsync(decryptSecrets(places));
    expect(refused.message).toMatch(/needs --reveal/);
    expect((await decryptSecrets({ ...places, reveal: true })).stdout).toBe(PLAIN);
  });

  it('decrypt --reveal -o writes a new 0600 file and never over an existing one', async () => {
    const { dir, places } = await keyFileSetup();
    const out = join(dir, 'clear.yaml');
    await decryptSecrets({ ...places, reveal: true, output: out });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toBe(PLAIN);
    expect((await configErrorOfAsync(decryptSecrets({ ...places, reveal: true, output: out }))).message).toMatch(/already exists/);
  });

  it('init never replaces a secrets file, and reuses an existing identity', async () => {
    const { places } = await keyFileSetup();
    const identity = readFileSync(places.identity, 'utf8');
    expect((await configErrorOfAsync(initSecrets(places))).message).toMatch(/secrets\.age: already exists/);
    const other = { ...places, file: places.file.replace('secrets.age', 'other.age') };
    const out = await initSecrets(other);
    expect(out.stderr).toMatch(/using the existing identity/);
    expect(readFileSync(places.identity, 'utf8')).toBe(identity);
  });

  it('refuses an identity file others can read, as ssh does', async () => {
    const { places } = await keyFileSetup();
    const { chmodSync } = await import('node:fs');
    chmodSync(places.identity, 0o644);
    const error = await configErrorOfAsync(loadSecrets(places));
    expect(error.message).toMatch(/identity\.txt: the identity file is readable by others \(mode 0644\).*chmod 600/);
  });

  it('rekey re-encrypts to the recipients file, and refuses a list that locks the writer out', async () => {
    const { dir, places } = await keyFileSetup();
    const second = await age.generateX25519Identity();
    const secondRecipient = await age.identityToRecipient(second);
    const recipients = join(dir, 'conf', 'secrets.recipients');
    writeFileSync(recipients, `${readFileSync(recipients, 'utf8')}${secondRecipient}\n`);
    await rekeySecrets(places);
    // The new member opens it with their own identity.
    const theirs = join(dir, 'theirs.txt');
    writeFileSync(theirs, `${second}\n`, { mode: 0o600 });
    expect((await loadSecrets({ ...places, identity: theirs })).get('salon_dlive')?.reveal()).toBe(DLIVE_KEY);

    writeFileSync(recipients, `${secondRecipient}\n`);
    const error = await configErrorOfAsync(rekeySecrets(places));
    expect(error.message).toMatch(/secrets\.recipients: does not list the public key of the identity/);
  });
});

describe('with a passphrase-protected identity (age scrypt)', () => {
  async function passphraseSetup() {
    const dir = scratch();
    const places = placesIn(dir);
    const { ask } = answering(PASSPHRASE);
    await initSecrets({ ...places, newPassphrase: async () => (await ask('new')), workFactor: 10, askPassphrase: ask });
    const plain = join(dir, 'plain.yaml');
    writeFileSync(plain, PLAIN);
    // The recipients file is enough to encrypt: no passphrase asked.
    const noAsk = answering();
    await encryptSecretsFile(plain, { ...places, output: places.file, force: true, askPassphrase: noAsk.ask });
    expect(noAsk.asked).toEqual([]);
    return places;
  }

  it('writes the identity as an age file encrypted with scrypt, 0600', async () => {
    const places = await passphraseSetup();
    const text = readFileSync(places.identity, 'utf8');
    expect(text.startsWith('-----BEGIN AGE ENCRYPTED FILE-----\n')).toBe(true);
    expect(text).not.toContain('AGE-SECRET-KEY');
    expect(Buffer.from(age.armor.decode(text)).toString('latin1')).toMatch(/^age-encryption\.org\/v1\n-> scrypt [A-Za-z0-9+/]+ 10\n/);
    expect(statSync(places.identity).mode & 0o777).toBe(0o600);
  });

  it('round-trips, asking the passphrase once per load', async () => {
    const places = await passphraseSetup();
    const { ask, asked } = answering(PASSPHRASE);
    const secrets = await loadSecrets({ ...places, askPassphrase: ask });
    expect(secrets.get('cuisine_kick')?.reveal()).toBe(KICK_KEY);
    expect(asked).toEqual([`Passphrase for ${places.identity}: `]);
  });

  it('a wrong passphrase is asked again, then a clean error without the passphrase', async () => {
    const places = await passphraseSetup();
    const { ask, asked } = answering('wrong-one', 'wrong-two', PASSPHRASE);
    expect((await loadSecrets({ ...places, askPassphrase: ask })).size).toBe(2);
    expect(asked).toHaveLength(3);

    const wrong = answering('nope-nope');
    const error = await configErrorOfAsync(loadSecrets({ ...places, askPassphrase: wrong.ask }));
    expect(error.message).toBe(`${places.identity}: the passphrase does not open this identity (3 tries) (hint: check the passphrase; it cannot be recovered)`);
    expectNoneOf(error.message + error.stack, ['nope-nope', PASSPHRASE, DLIVE_KEY, KICK_KEY]);
  });

  it('without a way to ask (no terminal), says what to do', async () => {
    const places = await passphraseSetup();
    const error = await configErrorOfAsync(loadSecrets(places));
    expect(error.message).toMatch(/protected by a passphrase, and there is no terminal to ask it on/);
  });
});

describe('files that do not open', () => {
  it('the wrong identity: names the file and the identity, and how to get access', async () => {
    const { dir, places } = await keyFileSetup();
    const other = join(dir, 'other.txt');
    writeFileSync(other, `${await age.generateX25519Identity()}\n`, { mode: 0o600 });
    const error = await configErrorOfAsync(loadSecrets({ ...places, identity: other }));
    expect(error.message).toBe(`${places.file}: was not encrypted to the identity ${other} (hint: use the identity it was encrypted to (--identity FILE or ORBIS_SECRETS_IDENTITY=FILE), or have someone who can open it add your public key to ${join(dir, 'conf', 'secrets.recipients')} and run \`orbis secrets rekey\`)`);
    expectNoneOf(error.message + error.stack, [DLIVE_KEY, KICK_KEY, readFileSync(other, 'utf8').trim()]);
  });

  it('a damaged file, a file that is not age, a missing file, a missing identity', async () => {
    const { dir, places } = await keyFileSetup();
    const armored = readFileSync(places.file, 'utf8');
    const lines = armored.split('\n');
    // Flip one base64 character in the body: the payload's authentication fails.
    const last = lines.length - 3;
    lines[last] = lines[last]!.replace(/^(.)/, (c) => (c === 'A' ? 'B' : 'A'));
    writeFileSync(places.file, lines.join('\n'));
    expect((await configErrorOfAsync(loadSecrets(places))).message).toMatch(/secrets\.age: is damaged/);

    writeFileSync(places.file, PLAIN);
    const notAge = await configErrorOfAsync(loadSecrets(places));
    expect(notAge.message).toMatch(/secrets\.age: is not an age encrypted file/);
    expectNoneOf(notAge.message, [DLIVE_KEY, KICK_KEY]);

    expect((await configErrorOfAsync(loadSecrets({ ...places, file: join(dir, 'none.age') }))).message).toMatch(/none\.age: no such secrets file \(hint: create it with `orbis secrets init`/);
    writeFileSync(places.file, armored);
    expect((await configErrorOfAsync(loadSecrets({ ...places, identity: join(dir, 'nobody.txt') }))).message).toMatch(/nobody\.txt: no such identity file \(hint: create one with `orbis secrets init`/);
  });

  it('an identity file with something else in it names the line, not its text', async () => {
    const { dir, places } = await keyFileSetup();
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, `# mine\n${DLIVE_KEY}\n`, { mode: 0o600 });
    const error = await configErrorOfAsync(loadSecrets({ ...places, identity: bad }));
    expect(error.message).toBe(`${bad}:2: is not an age identity (AGE-SECRET-KEY-1...) nor a # comment (hint: an identity file holds what age-keygen writes)`);
  });
});

describe.skipIf(!haveAgeCli)('the age command line tool opens what orbis writes, and orbis what age writes', () => {
  it('age -d -i IDENTITY opens orbis\'s secrets file', async () => {
    const { places } = await keyFileSetup();
    expect(execFileSync('age', ['-d', '-i', places.identity, places.file], { encoding: 'utf8' })).toBe(PLAIN);
  });

  it('orbis opens files from age -R (armored and binary)', async () => {
    const { dir, places } = await keyFileSetup();
    const recipients = join(dir, 'conf', 'secrets.recipients');
    for (const armor of [['-a'], []]) {
      const out = join(dir, `from-age${armor.length}.age`);
      execFileSync('age', ['-R', recipients, ...armor, '-o', out], { input: 'from_age: value_1\n' });
      expect((await loadSecrets({ ...places, file: out })).get('from_age')?.reveal()).toBe('value_1');
    }
  });

  it('orbis uses an identity made by age-keygen', async () => {
    const { dir, places } = await keyFileSetup();
    const identity = join(dir, 'keygen.txt');
    execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' });
    const recipient = execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim();
    const out = join(dir, 'k.age');
    execFileSync('age', ['-r', recipient, '-o', out], { input: 'k: v\n' });
    expect((await loadSecrets({ ...places, identity, file: out })).get('k')?.reveal()).toBe('v');
  });
});
