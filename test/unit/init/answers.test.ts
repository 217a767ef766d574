// What `orbis init` accepts, from wherever it comes: checked, and keys never in a message.
import { describe, expect, it } from 'vitest';
import { checkKey, checkName, defaultName, keyFromEnv, keysFromText, parsePlatforms, secretNameFor, targetText } from '../../../src/init/answers.js';
import { parseTarget } from '../../../src/transport/ssh-config.js';
import { configErrorOf } from '../config/helpers.js';

describe('orbis init answers', () => {
  it('platforms: the seed\'s words and the usual English ones', () => {
    expect(['dlive', 'KICK', ' toutes ', 'both', 'all', 'les deux'].map(parsePlatforms)).toEqual(['dlive', 'kick', 'toutes', 'toutes', 'toutes', 'toutes']);
    expect(parsePlatforms('twitch')).toBeUndefined();
  });

  it('a bad key says which character and why, never the key', () => {
    const error = configErrorOf(() => checkKey('dlive', 'abc/SECRETPART', 'the DLive key typed'));
    expect(error.message).toMatch(/^the DLive key typed: DLIVE_CLE_FLUX: character 4 of the key is a slash/);
    expect(error.message).not.toContain('SECRETPART');
    expect(checkKey('kick', 'sk_us-west-2_ok', 'x').reveal()).toBe('sk_us-west-2_ok');
  });

  it('keys from the environment: the variable must exist and hold a valid key', () => {
    expect(keyFromEnv('kick', 'KK', { KK: 'sk_abc' }).reveal()).toBe('sk_abc');
    expect(configErrorOf(() => keyFromEnv('kick', 'KK', {})).message).toMatch(/^environment KK: is not set, or empty/);
    expect(configErrorOf(() => keyFromEnv('kick', 'not a name', {})).message).toMatch(/is not an environment variable name/);
    const bad = configErrorOf(() => keyFromEnv('dlive', 'DK', { DK: 'has space' }));
    expect(bad.message).toMatch(/^environment DK: DLIVE_CLE_FLUX: character 4/);
    expect(bad.message).not.toContain('has space');
  });

  it('keys from stdin, in the conf syntax, with positions and no value in errors', () => {
    const keys = keysFromText('# keys\nDLIVE_CLE_FLUX=abc123\nKICK_CLE_FLUX="sk_x-1"\n');
    expect([keys.dlive?.reveal(), keys.kick?.reveal()]).toEqual(['abc123', 'sk_x-1']);
    const other = configErrorOf(() => keysFromText('DLIVE_CLE_FLUX=topsecretvalue\nGOP=60\n'));
    expect(other.message).toMatch(/^<stdin>:2:1: GOP: is not read from stdin/);
    const invalid = configErrorOf(() => keysFromText('KICK_CLE_FLUX="top secret"\n'));
    expect(invalid.message).toMatch(/^<stdin>:1:1: KICK_CLE_FLUX: character 4/);
    expect(invalid.message).not.toContain('top secret');
    expect(configErrorOf(() => keysFromText('DLIVE_CLE_FLUX=$(cat key)\n')).message).toMatch(/^<stdin>:1:16/);
  });

  it('names: from the host by default, and checked when given', () => {
    expect(['pi@raspberrypi.local', 'salon', 'pi@10.0.0.12:2222', 'pi@[fe80::1]:22', '3pi.lan'].map((t) => defaultName(parseTarget(t)))).toEqual([
      'raspberrypi',
      'salon',
      'pi-10-0-0-12',
      'pi-fe80-1',
      'pi-3pi',
    ]);
    expect(checkName('salon-2')).toBe('salon-2');
    expect(configErrorOf(() => checkName('all')).message).toMatch(/not "all"/);
    expect(configErrorOf(() => checkName('2x')).message).toMatch(/cannot name an inventory host/);
    expect(secretNameFor('salon.main-1', 'kick')).toBe('salon_main_1_kick');
  });

  it('targets back as typed', () => {
    expect(['pi@raspberrypi.local', 'salon', 'pi@10.0.0.12:2222', 'pi@[fe80::1]:22'].map((t) => targetText(parseTarget(t)))).toEqual([
      'pi@raspberrypi.local',
      'salon',
      'pi@10.0.0.12:2222',
      'pi@[fe80::1]:22',
    ]);
  });
});
