// Diffs of the stack's files against what a Pi holds, with the real roles and renderer: the Pi's
// copy may hold keys the controller does not know (a platform turned off, a key rotated, a hand
// edit), and no key, known or not, may reach the diff text or the JSON report (issue #19), while a
// changed key still shows as changed (issue #18).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load.js';
import { renderContext } from '../../../src/roles/context.js';
import { makePlan } from '../../../src/engine/plan.js';
import { TemplateRenderer } from '../../../src/render/templates.js';
import { hostReport } from '../../../src/app/host-report.js';
import { formatChanges } from '../../../src/resources/format.js';
import { maskHostText } from '../../../src/redact/secret-mask.js';
import type { DesiredFile } from '../../../src/resources/types.js';
import type { HostFacts } from '../../../src/facts/types.js';
import { buildDesired } from '../../../src/roles/desired.js';
import { loadRoles, roleSourceAt } from '../../../src/roles/load.js';
import { splitRoleVariables } from '../../../src/roles/variables.js';
import { packageRoot } from '../../../src/util/paths.js';
import { fileFact, hostFacts, sha } from './fixtures.js';

const ROOT = packageRoot();
const RTMP = '/etc/nginx/orbis/rtmp.conf';
const roles = loadRoles(['nginx-rtmp', 'stunnel'], [roleSourceAt(ROOT)], '0.1.0');
const renderer = new TemplateRenderer();

interface Setup {
  platforms: 'toutes' | 'dlive' | 'kick';
  dlive: string;
  kick: string;
  vars?: string[];
}

function desired(setup: Setup) {
  const loaded = loadSettings({
    // Keys as a user gives them: from the environment, never on a command line.
    env: { ORBIS_DLIVE_CLE_FLUX: setup.dlive, ORBIS_KICK_CLE_FLUX: setup.kick },
    vars: [
      `PLATEFORMES=${setup.platforms}`,
      'ENCODEUR_VIDEO=libx264',
      `LISTE_LECTURE=${join(ROOT, 'test', 'fixtures', 'stack', 'liste.txt')}`,
      ...(setup.vars ?? []),
    ],
  });
  const { roleValues } = splitRoleVariables(roles, [], {});
  return buildDesired(roles, renderContext(loaded, { values: roleValues }, hostFacts({ arch: 'arm64' }), '0.1.0'), renderer);
}

/** rtmp.conf as the real templates render it for `setup`: what a Pi provisioned with it holds. */
function rtmpOf(setup: Setup): string {
  const file = desired(setup).resources.find((r): r is DesiredFile => r.kind === 'file' && r.path === RTMP);
  if (!file) throw new Error('rtmp.conf not rendered');
  return file.content;
}

/** The Pi holds `onPi` in rtmp.conf (orbis wrote `written`); the plan for `setup`, as text and JSON. */
function shown(setup: Setup, onPi: string, written = onPi): { text: string; json: string; diff: string } {
  const state = desired(setup);
  const facts: HostFacts = hostFacts({
    paths: { [RTMP]: fileFact(onPi, { mode: '0600', content: onPi }) },
    manifest: { [RTMP]: sha(written) },
    manifestRoles: { [RTMP]: 'nginx-rtmp' },
  });
  const plan = makePlan(state, facts);
  const change = plan.changes.find((c) => c.id.name === RTMP);
  const report = hostReport('pi', { facts, desired: state, plan, timesMs: { facts: 0, plan: 0, apt: 0, apply: 0, handlers: 0 } }, { roundTrips: 1, connections: 1 }, Date.now(), 'drift');
  return { text: formatChanges(plan.changes, { diff: true }), json: JSON.stringify(report), diff: change?.diff ?? '' };
}

const DLIVE = 'dlive_7Hq2mX9pL4vN8rT1';
const KICK = 'sk_us-west-2_Zc5Wb3Yd6Ke0Jf';
const OLD_DLIVE = 'dlive_OLD0a1b2c3d4e5f6';

function expectNoKey(out: { text: string; json: string }, keys: readonly string[]): void {
  for (const key of keys) {
    expect(out.text).not.toContain(key);
    expect(out.json).not.toContain(key);
  }
}

describe('a diff of what the Pi holds shows no stream key', () => {
  it('a platform turned off: its removed push line is masked, though the new render no longer holds its key', () => {
    const out = shown({ platforms: 'dlive', dlive: DLIVE, kick: KICK }, rtmpOf({ platforms: 'toutes', dlive: DLIVE, kick: KICK }));
    expect(out.diff).toMatch(/^-\s+push rtmp:\/\/127\.0\.0\.1:11935\/app playPath=\*{8} tcUrl=rtmps:\/\/fa723fc1b171\.global-contribute\.live-video\.net:443\/app;$/m);
    expectNoKey(out, [DLIVE, KICK]);
  });

  it('a platform turned off whose key is no longer configured at all (the controller never saw it)', () => {
    const out = shown({ platforms: 'dlive', dlive: DLIVE, kick: '' }, rtmpOf({ platforms: 'toutes', dlive: DLIVE, kick: KICK }));
    expect(out.diff).toMatch(/^-.*playPath=\*{8} tcUrl=/m);
    expectNoKey(out, [DLIVE, KICK]);
  });

  it('a rotated key: neither the old nor the new shows, and the new line says the key changed', () => {
    const out = shown({ platforms: 'dlive', dlive: DLIVE, kick: KICK }, rtmpOf({ platforms: 'dlive', dlive: OLD_DLIVE, kick: KICK }));
    expect(out.diff).toContain('-            push rtmp://stream.dlive.tv/live playPath=********;\n+            push rtmp://stream.dlive.tv/live playPath=******** (changed);\n');
    expectNoKey(out, [DLIVE, OLD_DLIVE, KICK]);
  });

  it('a key that did not change is not called changed when its server did', () => {
    const out = shown({ platforms: 'dlive', dlive: DLIVE, kick: KICK, vars: ['DLIVE_SERVEUR=rtmp://ingest.example.net/live'] }, rtmpOf({ platforms: 'dlive', dlive: DLIVE, kick: KICK }));
    // The old server is no setting any more: in a file that holds keys, orbis cannot vouch for it.
    expect(out.diff).toContain('-            push rtmp://********/live playPath=********;\n+            push rtmp://ingest.example.net/live playPath=********;\n');
  });

  it('keys put elsewhere by hand (a comment, the push URL, a query string, another parameter) are masked; what orbis writes stays readable', () => {
    const rendered = rtmpOf({ platforms: 'dlive', dlive: DLIVE, kick: KICK });
    const hand = ['hand_COMMENT_9f8e7d', 'hand_URL_1a2b3c4d', 'hand_QUERY_5e6f7a8b', 'hand_NAME_0c1d2e3f'];
    const onPi = rendered.replace(
      '        }\n    }\n}',
      [
        `            # old key ${hand[0]} kept here`,
        `            push rtmp://stream.dlive.tv/live/${hand[1]};`,
        `            push rtmp://backup.example.org/live?key=${hand[2]};`,
        `            push rtmp://stream.dlive.tv/live name=${hand[3]};`,
        '        }\n    }\n}',
      ].join('\n'),
    );
    const out = shown({ platforms: 'dlive', dlive: DLIVE, kick: KICK }, onPi, rendered);
    expectNoKey(out, [...hand, DLIVE, KICK]);
    expect(out.diff).toContain('-            push rtmp://stream.dlive.tv/live/********;');
    expect(out.diff).toContain('-            # old key ******** kept here');
    // The summary says why it differs: the file was edited on the Pi.
    expect(out.text).toContain('edited on the host since orbis wrote it');
  });

  it('whatever the settings were and are, no key appears (seeded property test)', () => {
    let seed = 0x5eed_2024;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T,>(xs: readonly T[]): T => xs[random(xs.length)] as T;
    const keys = { dlive: ['dlive_prop_A1b2C3d4E5', 'dlive_prop_F6g7H8i9J0', ''], kick: ['sk_us-west-2_propK1l2M3', 'sk_eu-1_propN4o5P6q7', ''] };
    const servers = ['rtmp://stream.dlive.tv/live', 'rtmp://ingest-b.dlive.example/live'];
    const all = [...keys.dlive, ...keys.kick].filter((k) => k !== '');
    const setup = (): Setup => ({
      platforms: pick(['toutes', 'dlive', 'kick'] as const),
      dlive: pick(keys.dlive),
      kick: pick(keys.kick),
      vars: [`DLIVE_SERVEUR=${pick(servers)}`],
    });
    let cases = 0;
    while (cases < 200) {
      const before = setup();
      const after = setup();
      // A platform is on only with its key (orbis refuses a run otherwise, before any host).
      if ([before, after].some((s) => (s.platforms !== 'kick' && s.dlive === '') || (s.platforms !== 'dlive' && s.kick === ''))) continue;
      const onPi = rtmpOf(before);
      const edited = random(3) === 0 ? onPi.replace('live on;', `live on; # ${pick(all)}`) : onPi;
      const out = shown(after, edited, onPi);
      expectNoKey(out, all);
      cases++;
    }
  });
});

describe('text from a Pi (an error quoting a file)', () => {
  it('masks a key orbis was never told about where the templates put keys, and in push targets', () => {
    const quoted = `nginx: [emerg] in /etc/nginx/orbis/rtmp.conf:25: push rtmp://h.example/live playPath=${OLD_DLIVE}; push rtmp://h.example/live/${KICK};`;
    const masked = maskHostText(quoted, { values: [], anchors: [] });
    expect(masked).not.toContain(OLD_DLIVE);
    expect(masked).not.toContain(KICK);
    expect(masked).toContain('/etc/nginx/orbis/rtmp.conf:25');
  });
});
