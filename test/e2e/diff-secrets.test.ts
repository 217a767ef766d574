// No stream key in a diff (issue #19, item 1) and diffs and rollbacks that say what they change
// (issue #18), on a lab Pi with the real nginx-rtmp and stunnel roles: the Pi's rtmp.conf holds
// keys the next plan no longer renders (a platform turned off) or never knew (a key rotated);
// `check --diff` and `provision --check`, text and --json, show neither; a rotated key's new line
// says it changed; a file edited by hand is named by `rollback --check` as one the rollback
// overwrites, and by the rollback as overwritten. One Pi for the file, tests in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHost, LabState } from '../../src/lab/index.js';
import { freshHost, getLab, mustOnHost, releaseHost } from './helpers/lab.js';
import { labConnection, orbis, type OrbisResult } from './helpers/orbis.js';
import { keysOnHost, newKeys, stackEnv, StackPi } from './helpers/stack.js';

const RTMP = '/etc/nginx/orbis/rtmp.conf';
const keys = newKeys('diffkeys');
const rotated = newKeys('diffrotated').dlive;
const ALL_KEYS = [keys.dlive, keys.kick, rotated];
// The relay only: what holds the keys, with real nginx -t and stunnel; no stream is needed here.
const pi0 = new StackPi(['--roles', 'nginx-rtmp,stunnel', '--no-verify']);

let lab: LabState;
let pi: LabHost;

/** Every run keeps what it printed, to look for keys in at the end. */
async function run(args: string[], env: Record<string, string> = {}): Promise<OrbisResult> {
  const result = await orbis([...args, `pi@${pi.address}`, ...labConnection(pi, pi0.knownHosts)], { env: { ...pi0.env, ...env } });
  pi0.printed.push(result.stdout, result.stderr);
  return result;
}

function expectNoKey(result: OrbisResult): void {
  for (const key of ALL_KEYS) {
    expect(result.stdout, 'stdout').not.toContain(key);
    expect(result.stderr, 'stderr').not.toContain(key);
  }
}

function diffOf(result: OrbisResult): string {
  const diff = result.json?.hosts[0]?.changes.find((c) => c.name === RTMP) as { diff?: string } | undefined;
  return diff?.diff ?? '';
}

describe('stream keys in diffs and rollbacks', () => {
  beforeAll(async () => {
    lab = await getLab();
    pi = await freshHost();
    pi0.host = pi;
    pi0.env = stackEnv(lab, keys, { ORBIS_LARGEUR_MAX: '640', ORBIS_HAUTEUR_MAX: '360' });
  });
  afterAll(async () => {
    await releaseHost(pi);
  });

  it('provisions the relay for both platforms', async () => {
    const result = await pi0.provision(['--json']);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const rtmp = await mustOnHost(pi, `cat ${RTMP}`, { user: 'root' });
    expect(rtmp).toContain(`playPath=${keys.kick}`);
  });

  it('Kick turned off: check --diff and provision --check, text and --json, show the removed push without its key', async () => {
    const runs = [
      await run(['check', '--diff', '--roles', 'nginx-rtmp,stunnel', '--platforms', 'dlive']),
      await run(['check', '--diff', '--json', '--roles', 'nginx-rtmp,stunnel', '--platforms', 'dlive']),
      await run(['provision', '--check', '--roles', 'nginx-rtmp,stunnel', '--platforms', 'dlive']),
      await run(['provision', '--check', '--json', '--roles', 'nginx-rtmp,stunnel', '--platforms', 'dlive']),
    ];
    for (const result of runs) {
      expect(result.code, result.stderr + result.stdout).toBe(2);
      expect(result.stdout).toMatch(/-\s+push rtmp:\/\/127\.0\.0\.1:\d+\/app playPath=\*{8} tcUrl=rtmps:/);
      expectNoKey(result);
    }
    expect(diffOf(runs[1] as OrbisResult)).toMatch(/^-\s+push rtmp:\/\/127\.0\.0\.1:\d+\/app playPath=\*{8} tcUrl=/m);
  });

  it('a rotated key (the Pi holds one the controller no longer knows): both lines masked, the new one says it changed', async () => {
    const env = { ORBIS_DLIVE_CLE_FLUX: rotated };
    const text = await run(['check', '--diff', '--roles', 'nginx-rtmp,stunnel'], env);
    const json = await run(['provision', '--check', '--json', '--roles', 'nginx-rtmp,stunnel'], env);
    for (const result of [text, json]) {
      expect(result.code, result.stderr + result.stdout).toBe(2);
      expectNoKey(result);
    }
    expect(text.stdout).toMatch(/-\s+push rtmp:\/\/stream\.dlive\.tv\/live playPath=\*{8};\n\s*\+\s+push rtmp:\/\/stream\.dlive\.tv\/live playPath=\*{8} \(changed\);/);
    expect(diffOf(json)).toMatch(/^\+\s+push rtmp:\/\/stream\.dlive\.tv\/live playPath=\*{8} \(changed\);$/m);
  });

  it('a file edited by hand since orbis wrote it: rollback --check says the rollback overwrites the edit, the rollback that it did', async () => {
    // A second generation (the rotated key), then a hand edit of what it wrote.
    const rotatedRun = await orbis(['provision', `pi@${pi.address}`, ...labConnection(pi, pi0.knownHosts), '--roles', 'nginx-rtmp,stunnel', '--no-verify', '--json'], { env: { ...pi0.env, ORBIS_DLIVE_CLE_FLUX: rotated } });
    pi0.printed.push(rotatedRun.stdout, rotatedRun.stderr);
    expect(rotatedRun.code, rotatedRun.stderr).toBe(0);
    await mustOnHost(pi, `sed -i 's/chunk_size 4096;/chunk_size 8192; # edited by hand/' ${RTMP}`, { user: 'root' });

    const check = await run(['rollback', '--check']);
    expect(check.code, check.stderr + check.stdout).toBe(2);
    expect(check.stdout).toMatch(new RegExp(`nginx-rtmp / file ${RTMP.replace(/\//g, '\\/')}: restore .*; edited by hand since orbis wrote it: the rollback will overwrite the hand edit`));
    expect(check.stdout).not.toMatch(/kick\.conf: .*by hand/);
    const json = await run(['rollback', '--check', '--json']);
    expect(json.json?.hosts[0]?.changes.find((c) => c.name === RTMP)?.summary).toMatch(/the rollback will overwrite the hand edit$/);

    const done = await run(['rollback', '--no-verify', '--json']);
    expect(done.code, done.stderr + done.stdout).toBe(0);
    expect(done.json?.hosts[0]?.changes.find((c) => c.name === RTMP)?.summary).toMatch(/edited by hand since orbis wrote it: the rollback overwrote the hand edit$/);
    expect((await mustOnHost(pi, `grep -c 'edited by hand' ${RTMP} || true`, { user: 'root' })).trim()).toBe('0');
    for (const result of [check, json, done]) expectNoKey(result);
  });

  it('no key in anything orbis printed, nor anywhere readable on the Pi', async () => {
    for (const text of pi0.printed) for (const key of ALL_KEYS) expect(text).not.toContain(key);
    expect(await keysOnHost(pi, ALL_KEYS)).toEqual([]);
  });
});
