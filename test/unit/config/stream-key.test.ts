import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/errors.js';
import { loadSettings } from '../../../src/config/load.js';
import { Secret } from '../../../src/redact/secret.js';
import { checkStreamKey } from '../../../src/config/stream-key.js';
import { configErrorOf } from './helpers.js';

// Distinctive, so that any leak of the key (or a large part of it) shows in a message.
const PREFIX = 'Zq7LeakCanary';
const SUFFIX = 'Tail9Marker';

describe('stream key characters', () => {
  it.each([
    ['DLive-like', 'a1B2c3D4e5F6g7H8'],
    ['Kick-like', 'sk_us-west-2_AbCdEf123456'],
    ['with query parameters', 'live_123?s_bl=1&s_ps=1.0'],
    ['empty (not set)', ''],
  ])('accepts a %s key', (_kind, key) => {
    expect(checkStreamKey(key)).toBeUndefined();
  });

  it.each([
    [';', 'a semicolon'],
    ['}', 'a brace'],
    ['{', 'a brace'],
    ['"', 'a quote'],
    ["'", 'a quote'],
    ['`', 'a quote'],
    [' ', 'whitespace'],
    ['\t', 'whitespace'],
    ['\n', 'a line break'],
    ['\r', 'a line break'],
    ['$', 'a dollar sign'],
    ['#', 'a #'],
    ['\\', 'a backslash'],
    ['/', 'a slash'],
    ['\u0000', 'a control character'],
    ['é', 'a non-ASCII character'],
    [':', 'a character that is not allowed'],
  ])('refuses %j, naming it as %s, without the key', (char, what) => {
    const key = `${PREFIX}${char}${SUFFIX}`;
    const problem = checkStreamKey(key)!;
    expect(problem.message).toContain(`character ${PREFIX.length + 1} of the key is ${what}`);
    expect(problem.message).toContain('letters, digits and _ - . ? = &');
    expect(problem.offset).toBe(PREFIX.length);
    for (const text of [problem.message, problem.hint ?? '']) {
      expect(text).not.toContain(PREFIX);
      expect(text).not.toContain(SUFFIX);
    }
  });

  it('refuses a key that is far too long (a pasted page or URL)', () => {
    expect(checkStreamKey('a'.repeat(257))?.message).toContain('at most 256');
  });

  it('hints at stray spaces around a key', () => {
    expect(checkStreamKey(' abc')?.hint).toBe('remove the spaces around the key');
  });
});

describe('stream keys through the loader', () => {
  const env = {};

  it.each([
    ['DLIVE_CLE_FLUX="ab;cd"\n', 'conf/orbis.conf:1:19: DLIVE_CLE_FLUX: character 3 of the key is a semicolon'],
    ["KICK_CLE_FLUX='sk_}x'\n", 'conf/orbis.conf:1:19: KICK_CLE_FLUX: character 4 of the key is a brace'],
    ["DLIVE_CLE_FLUX='a$b'\n", 'conf/orbis.conf:1:18: DLIVE_CLE_FLUX: character 2 of the key is a dollar sign'],
    ['DLIVE_CLE_FLUX="x y"\n', 'conf/orbis.conf:1:18: DLIVE_CLE_FLUX: character 2 of the key is whitespace'],
    ['DLIVE_CLE_FLUX=a\\"b\n', 'conf/orbis.conf:1:18: DLIVE_CLE_FLUX: character 2 of the key is a quote'],
  ])('points at the faulty character in the file: %j', (text, expected) => {
    const error = configErrorOf(() => loadSettings({ confPath: 'conf/orbis.conf', confText: text, env }));
    expect(error.issues).toHaveLength(1);
    expect(formatIssue(error.issues[0]!).startsWith(expected), formatIssue(error.issues[0]!)).toBe(true);
  });

  it('says where a bad key came from when it is not a file, without the key', () => {
    const key = `${PREFIX}\n${SUFFIX}`;
    const fromEnv = configErrorOf(() => loadSettings({ env: { ORBIS_KICK_CLE_FLUX: key } }));
    expect(fromEnv.message).toMatch(/^environment ORBIS_KICK_CLE_FLUX: character 14 of the key is a line break/);
    // A key on the command line is refused whatever it holds (ps shows it to every user).
    const fromVar = configErrorOf(() => loadSettings({ env, vars: [`DLIVE_CLE_FLUX=${PREFIX};${SUFFIX}`] }));
    expect(fromVar.message).toMatch(/^--var DLIVE_CLE_FLUX: is a stream key, and a key on the command line is readable by every user of this machine \(ps\).*\(hint: put it in the environment without typing it on a command line \(read -rs ORBIS_DLIVE_CLE_FLUX && export ORBIS_DLIVE_CLE_FLUX\)/);
    expect(configErrorOf(() => loadSettings({ env, vars: [`KICK_CLE_FLUX=${PREFIX}${SUFFIX}`] })).message).toMatch(/^--var KICK_CLE_FLUX: is a stream key/);
    for (const error of [fromEnv, fromVar]) {
      expect(error.message).not.toContain(PREFIX);
      expect(error.message).not.toContain(SUFFIX);
    }
  });

  it('a key pasted into another setting is not echoed by its error (KICK_CHEMIN=/app/<key>, a URL with it)', () => {
    const key = 'sk_us-west-2_Ab12Cd34Ef56';
    for (const line of [`KICK_CHEMIN=/app/${key}`, `DLIVE_SERVEUR=rtmp://stream.dlive.tv/live/${key}`, `NGINX_CHEMIN_APPLICATION=${key}/x`, `KICK_SERVEUR_REEL=${key}.example.net:443`]) {
      const error = configErrorOf(() => loadSettings({ confPath: 'conf/orbis.conf', confText: `${line}\n`, env }));
      expect(error.message, line).not.toContain(key);
      expect(error.message, line).not.toContain('Ab12Cd34');
    }
  });

  it('accepts a key given as a Secret by an inventory layer, and keeps its origin', () => {
    const secret = new Secret('sk_us-west-2_abc', 'secrets.age: kick/salon');
    const { settings } = loadSettings({ env, layers: [{ name: 'host salon', values: { KICK_CLE_FLUX: secret } }] });
    expect(settings.KICK_CLE_FLUX.reveal()).toBe('sk_us-west-2_abc');
    expect(settings.KICK_CLE_FLUX.origin).toBe('secrets.age: kick/salon');
  });

  it('refuses a secret reference for a setting that is not a secret', () => {
    const error = configErrorOf(() => loadSettings({ env, layers: [{ name: 'host salon', values: { GOP: new Secret('60') } }] }));
    expect(error.message).toBe('host salon: GOP: is given as a secret reference, but it is not a secret setting (hint: give it as a plain value)');
  });

  it('masks every known key out of any error, as a last line of defence', () => {
    const key = 'abcdef123456';
    // A value error on another setting whose message would quote text equal to the key.
    const error = configErrorOf(() => loadSettings({ env: { ORBIS_DLIVE_CLE_FLUX: key, ORBIS_NIVEAU_JOURNAL: key } }));
    expect(error.message).not.toContain(key);
    expect(error.message).toContain('********');
  });
});
