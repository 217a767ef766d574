// Which role uses which setting, read from the roles (src/docs/usage.ts): the template scan, the
// derived values followed back to settings, and the settings model's `usedBy` kept true by it.
import { mkdtempSync, mkdirSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTING_NAMES, SETTINGS } from '../../../src/config/index.js';
import { derivedSources, settingsBehind } from '../../../src/docs/derived.js';
import { conditionReference, templateReferences } from '../../../src/docs/references.js';
import { allRoles, analyseUsage, UnknownReferenceError } from '../../../src/docs/usage.js';
import { roleSourceAt } from '../../../src/roles/load.js';
import { packageRoot } from '../../../src/util/paths.js';

const ROOT = packageRoot();
const usage = analyseUsage(allRoles([roleSourceAt(ROOT)], '0.1.0'));
const rolesOf = (name: keyof typeof SETTINGS): string[] => (usage.bySetting.get(name) ?? []).map((u) => u.role).sort();

describe('template references', () => {
  it('finds values, helper arguments, sub-expressions and both branches of a condition', () => {
    const refs = templateReferences(
      '{{A}} {{shq B}} {{#if (eq C 1)}}{{D.e}}{{else}}{{F}}{{/if}} {{add G (mul H 2)}} {{join platforms.list " "}}',
    );
    expect(refs.sort()).toEqual(['A', 'B', 'C', 'D.e', 'F', 'G', 'H', 'platforms.list']);
  });

  it('inside {{#each}}, names are the item\'s, except ../NAME', () => {
    expect(templateReferences('{{#each playlist}}{{url}} {{title}} {{../BOUCLE}} {{@index}}{{/each}}').sort()).toEqual(['BOUCLE', 'playlist']);
  });

  it('reads the path of a when: condition', () => {
    expect(conditionReference('platforms.kick')).toBe('platforms.kick');
    expect(conditionReference('!platforms.kick')).toBe('platforms.kick');
    expect(conditionReference('encode.encoder == libx264')).toBe('encode.encoder');
  });
});

describe('derived values back to settings', () => {
  const sources = derivedSources();

  it('follows each part of the encode to the settings it is made of', () => {
    expect([...(sources.get('encode.width') ?? [])]).toEqual(['LARGEUR_MAX']);
    expect([...(sources.get('encode.fps') ?? [])]).toEqual(['DEBIT_IMAGES']);
    expect([...(sources.get('encode.encoderArgs') ?? [])]).toEqual(
      expect.arrayContaining(['DLIVE_BITRATE_VIDEO', 'KICK_BITRATE_VIDEO', 'ENCODAGE_BITRATE_VIDEO', 'PRESET_ENCODAGE', 'PROFIL_H264', 'NIVEAU_H264', 'DEBIT_IMAGES', 'ENCODEUR_VIDEO']),
    );
    // The FFmpeg arguments carry no size and no audio.
    expect([...(sources.get('encode.encoderArgs') ?? [])]).not.toEqual(expect.arrayContaining(['LARGEUR_MAX']));
    expect([...(sources.get('encode.encoderArgs') ?? [])]).not.toContain('DLIVE_BITRATE_AUDIO');
  });

  it('the platforms, the playlist and the BTFS release', () => {
    expect([...(sources.get('platforms.kick') ?? [])].sort()).toEqual(['KICK_ACTIF', 'PLATEFORMES']);
    expect([...(sources.get('playlist') ?? [])].sort()).toEqual(['BTFS_HASH_TEST', 'BTFS_PASSERELLE', 'LISTE_LECTURE']);
    expect(settingsBehind('btfs.url', sources).map((b) => b.setting)).toEqual(expect.arrayContaining(['BTFS_URL_TELECHARGEMENT', 'BTFS_VERSION']));
    expect(settingsBehind('btfs.sha256', sources).map((b) => b.setting)).toEqual(expect.arrayContaining(['BTFS_SHA256_AMD64', 'BTFS_SHA256_ARM64']));
  });

  it('a setting read but whose every valid change looks the same (GOP) counts for the whole value', () => {
    expect(sources.get('encode')).toContain('GOP');
    expect(settingsBehind('encode.width', sources)).toContainEqual({ setting: 'GOP', via: 'encode' });
    expect(settingsBehind('encode.width', sources)).toContainEqual({ setting: 'LARGEUR_MAX', via: 'encode.width' });
    expect(usage.bySetting.get('GOP')?.find((u) => u.role === 'ffmpeg')).toEqual({ role: 'ffmpeg', direct: false, via: ['encode'] });
  });
});

describe('role usage', () => {
  it('direct names and derived values', () => {
    expect(rolesOf('KICK_SERVEUR_REEL')).toEqual(['nginx-rtmp', 'stunnel']); // tcUrl in rtmp.conf, connect in kick.conf
    expect(rolesOf('LARGEUR_MAX')).toEqual(['orbis-service']);
    expect(rolesOf('PRESET_ENCODAGE')).toEqual(['ffmpeg', 'orbis-service']); // ENCODEUR_ARGS in encodeur.env
    expect(rolesOf('BTFS_REPERTOIRE_REPO')).toEqual(['btfs']);
    expect(rolesOf('WEBCAM_ACTIF')).toEqual([]);
    const ffmpeg = usage.bySetting.get('PRESET_ENCODAGE')?.find((u) => u.role === 'ffmpeg');
    expect(ffmpeg).toEqual({ role: 'ffmpeg', direct: false, via: ['encode.encoderArgs'] });
  });

  it('role variables and what verify reads', () => {
    expect(usage.roleVariables.map((v) => `${v.role}:${v.name}`).sort()).toEqual(['btfs:BTFS_MEMBRE_ARCHIVE', 'orbis-service:BLOCAGE_MAX']);
    expect(usage.verifyReads.has('BTFS_HASH_TEST')).toBe(true);
    expect(usage.verifyReads.has('KICK_ACTIF')).toBe(true);
    expect(usage.verifyReads.has('DLIVE_CLE_FLUX')).toBe(false); // read only to be masked
    expect(usage.verifyReads.has('FILIGRANE_ACTIF')).toBe(false);
  });

  it('every setting\'s usedBy in the settings model is what the roles really use', () => {
    const wrong = SETTING_NAMES.flatMap((name) => {
      const declared = [...SETTINGS[name].usedBy].sort();
      const actual = rolesOf(name);
      return JSON.stringify(declared) === JSON.stringify(actual) ? [] : [`${name}: usedBy ${JSON.stringify(declared)}, the roles use it in ${JSON.stringify(actual)}`];
    });
    expect(wrong, 'fix usedBy in src/config/settings/*.ts').toEqual([]);
  });

  it('a name a role uses that is no setting, role variable or derived value is an error that says where', () => {
    const root = mkdtempSync(join(tmpdir(), 'orbis-usage-'));
    cpSync(join(ROOT, 'roles', 'ffmpeg'), join(root, 'roles', 'ffmpeg'), { recursive: true });
    mkdirSync(join(root, 'templates', 'ffmpeg'), { recursive: true });
    writeFileSync(join(root, 'templates', 'ffmpeg', 'encodeur.env.hbs'), 'X={{NOT_A_SETTING}}\n');
    const roles = allRoles([roleSourceAt(root)], '0.1.0');
    expect(() => analyseUsage(roles)).toThrow(UnknownReferenceError);
    expect(() => analyseUsage(roles)).toThrow(/roles\/ffmpeg\/role\.yaml: names "NOT_A_SETTING"/);
  });
});
