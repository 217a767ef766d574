// Slow tier (`npm run test:slow`, not CI): the whole stack on an arm64 lab host, the Pi's own
// architecture, under qemu-user emulation, streaming to both stand-in platforms. Its fast
// siblings in CI run the same code paths: test/e2e/stack.test.ts (the whole stack, amd64) and
// test/e2e/btfs.test.ts (the arm64 release downloaded, checked, initialised in simple mode, its
// gateway serving). Emulated FFmpeg runs far below real time: a small, slow stream, and no speed
// judged (--min-speed low; recordings checked for what they hold, not how fast they grew).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabState } from '../../src/lab/index.js';
import { freshHost, getLab, mustOnHost, releaseHost } from '../e2e/helpers/lab.js';
import { expectMedia, newKeys, newRecording, recordingNames, stackDiagnostics, stackEnv, StackPi, unitStates } from '../e2e/helpers/stack.js';

const keys = newKeys('arm64');
const stack = new StackPi([
  '--var', 'LARGEUR_MAX=320', '--var', 'HAUTEUR_MAX=180', '--min-speed', '0.05', '--retry-timeout', '300',
]);
let lab: LabState;

describe('the whole stack on an arm64 Pi (emulated)', () => {
  beforeAll(async () => {
    lab = await getLab();
    stack.env = stackEnv(lab, keys);
    stack.host = await freshHost({ arch: 'arm64' });
  }, 600_000);
  afterAll(async () => releaseHost(stack.host));

  it('provisions from the arm64 release in simple mode, verifies, and both platforms record the stream', async () => {
    const before = { dlive: await recordingNames(lab, 'dlive', keys.dlive), kick: await recordingNames(lab, 'kick', keys.kick) };
    const started = Date.now();
    const result = await stack.provision(['--json']);
    const host = result.json?.hosts[0];
    process.stderr.write(`[arm64] first provision of the whole stack: ${((Date.now() - started) / 1000).toFixed(1)} s, ${host?.changes.length} changes, phases ${JSON.stringify(host?.phasesMs)}\n`);
    expect(result.code, `${result.stderr}\n${JSON.stringify(host?.verify.filter((v) => v.status !== 'pass'), null, 1)}`).toBe(0);
    expect(await unitStates(stack.host, ['nginx.service', 'btfs.service', 'stunnel@kick.service', 'orbis.service'])).toEqual({
      'nginx.service': 'active/enabled',
      'btfs.service': 'active/enabled',
      'stunnel@kick.service': 'active/enabled',
      'orbis.service': 'active/enabled',
    });
    // aarch64 (e_machine 183), not an amd64 binary run silently by binfmt.
    expect(await mustOnHost(stack.host, 'od -An -tu2 -j18 -N2 /usr/local/bin/btfs', { user: 'root' })).toMatch(/^\s*183\s*$/);
    expect(await mustOnHost(stack.host, "grep -c '\"SimpleMode\": true' /var/lib/btfs/.btfs/config", { user: 'root' })).toBe('1\n');
    try {
      const [dlive, kick] = await Promise.all([
        newRecording(lab, 'dlive', keys.dlive, before.dlive, 300_000, 16 * 1024),
        newRecording(lab, 'kick', keys.kick, before.kick, 300_000, 16 * 1024),
      ]);
      for (const recording of [dlive, kick]) await expectMedia(recording, { video: { codec_name: 'h264', width: 320, height: 180 } });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- the Pi\n${await stackDiagnostics(stack.host)}`);
    }
  }, 1_800_000);
});
