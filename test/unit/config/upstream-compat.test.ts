import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConf } from '../../../src/config/conf-parser.js';
import { SETTINGS } from '../../../src/config/settings.js';
import { formatCompatibility, UPSTREAM_RULES, upstreamCompatibility } from '../../../src/config/upstream-compat.js';
import { haveUpstreamConf, readFixture, upstreamConfPath } from './helpers.js';

describe('upstream compatibility report', () => {
  it('has a rule, with a reason, for each of the 58 upstream variables', () => {
    const rules = Object.entries(UPSTREAM_RULES);
    expect(rules).toHaveLength(58);
    for (const [name, rule] of rules) {
      expect(rule.reason.length, name).toBeGreaterThan(10);
      // orbis does not use what it maps or ignores: no role reads those settings.
      if (rule.status !== 'used') expect(SETTINGS[name as keyof typeof SETTINGS].usedBy, name).toEqual([]);
      else expect(SETTINGS[name as keyof typeof SETTINGS].usedBy.length, name).toBeGreaterThan(0);
    }
  });

  it.skipIf(!haveUpstreamConf)('reports on every variable of upstream\'s file', () => {
    const rows = upstreamCompatibility(parseConf(readFileSync(upstreamConfPath, 'utf8'), { file: 'orbis.conf' }));
    expect(rows).toHaveLength(58);
    const byStatus = (s: string) => rows.filter((r) => r.status === s).map((r) => r.variable);
    expect(byStatus('ignored')).toEqual(['DELAI_ENTRE_VIDEOS', 'WEBCAM_ACTIF', 'WEBCAM_PERIPHERIQUE', 'WEBCAM_LARGEUR', 'WEBCAM_HAUTEUR', 'WEBCAM_DEBIT_IMAGES', 'WEBCAM_POSITION']);
    expect(byStatus('mapped')).toEqual(expect.arrayContaining(['BTFS_REPO', 'BTFS_DAEMON_CMD', 'REPERTOIRE_PROJET', 'FFMPEG', 'CURL', 'STUNNEL']));
    expect(byStatus('used')).toEqual(expect.arrayContaining(['DLIVE_CLE_FLUX', 'KICK_SERVEUR_REEL', 'NGINX_PORT_RTMP', 'TENTATIVES_RECONNEXION']));
  });

  it('prints one line per variable, with what replaces a mapped one', () => {
    const rows = upstreamCompatibility(parseConf(readFixture('full-features.conf'), { file: 'f.conf' }));
    const text = formatCompatibility(rows).split('\n');
    expect(text).toHaveLength(58);
    expect(text).toContain("mapped  BTFS_REPO -> BTFS_UTILISATEUR, BTFS_REPERTOIRE_REPO: upstream's repo sits under a login user orbis does not manage; orbis runs BTFS as its own system user with its own repo");
    expect(text).toContain('ignored WEBCAM_ACTIF: upstream never implemented the webcam overlay');
  });

  it('marks orbis\'s own settings as used and unknown names as ignored', () => {
    const rows = upstreamCompatibility(parseConf('NGINX_PORT_STATS=8089\nMON_REGLAGE=1\n', { file: 'f' }));
    expect(rows.map((r) => [r.variable, r.status])).toEqual([['NGINX_PORT_STATS', 'used'], ['MON_REGLAGE', 'ignored']]);
  });
});
