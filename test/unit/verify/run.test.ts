import { describe, expect, it } from 'vitest';
import type { ExecOptions, ExecResult, Transport } from '../../../src/transport/types.js';
import { verifyHost } from '../../../src/verify/run.js';
import { b64, fixture, fullOutput, labInput, LAB_PROCS, procsLine, unitsText } from './helpers.js';

type Kind = 'full' | 'settle' | 'ffmpeg';

/** A host that answers each kind of verify script (by its label) from a list of scripted outputs. */
class FakeHost implements Transport {
  readonly name = 'fake';
  roundTrips = 0;
  readonly connections = 1;
  readonly calls: Array<{ kind: Kind; options: ExecOptions | undefined }> = [];
  constructor(private readonly answer: (kind: Kind, nth: number) => string) {}
  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    expect(command).toBe('bash -s');
    // What is asked, by the script's label (never by reading the script).
    const kind = /^verify \((full|settle|ffmpeg)\)$/.exec(options?.label ?? '')?.[1] as Kind | undefined;
    if (kind === undefined) throw new Error(`not a verify script: ${options?.label ?? 'no label'}`);
    const nth = this.calls.filter((c) => c.kind === kind).length;
    this.calls.push({ kind, options });
    this.roundTrips += 1;
    return { stdout: this.answer(kind, nth), stderr: '', code: 0, signal: null, timedOut: false };
  }
  async close(): Promise<void> {}
}

const now = () => Date.now() / 1000;
const GW_DOWN = `7\t000 0 0\t${b64('curl: (7) Failed to connect')}`;
const REFUSED_LOG = 'http://127.0.0.1:8080/btfs/Qm: Connection refused\n';

function settleOutput(gatewayUp: boolean): string {
  const lines = [`NOW\t${now()}`, `UNITS\t${now()}\t${b64(unitsText())}`, `SS\t${b64(fixture('ss-lab.txt'))}`];
  lines.push(procsLine(LAB_PROCS));
  lines.push(`GW\t${gatewayUp ? '0\t206 512 0.001\t' : GW_DOWN}`, 'API\t0\t401', `STAT\t0\t200\t${b64(fixture('stat-lab.xml'))}\t`, 'END');
  return lines.join('\n') + '\n';
}

const fast = { retryIntervalSec: 0.05, seconds: 10, minSpeed: 1.2 };

describe('verifyHost', () => {
  it('a settled host takes one round trip, under sudo, with a bounded timeout', async () => {
    const host = new FakeHost(() => fullOutput({ now: now() }));
    const results = await verifyHost(host, labInput(), fast);
    expect(host.roundTrips).toBe(1);
    expect(host.calls[0]?.options).toMatchObject({ sudo: true, label: 'verify (full)' });
    expect(host.calls[0]?.options?.timeoutSec).toBeGreaterThan(37);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
  });

  it('retries only the settle checks until they pass, then reruns the FFmpeg test whose input settled late', async () => {
    const host = new FakeHost((kind, nth) => {
      if (kind === 'full') return fullOutput({ now: now(), gw: GW_DOWN, ffmpeg: [1, 50, REFUSED_LOG] });
      if (kind === 'settle') return settleOutput(nth >= 1);
      return `NOW\t${now()}\nFFMPEG\t0\t2000\torbis\tlibx264\tconfigured\t${b64('time=00:00:10.00 bitrate=N/A speed=5.0x\n')}\nEND\n`;
    });
    const messages: string[] = [];
    const results = await verifyHost(host, labInput(), { ...fast, retryTimeoutSec: 5, progress: (m) => messages.push(m) });
    expect(host.calls.map((c) => c.kind)).toEqual(['full', 'settle', 'settle', 'ffmpeg']);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(results.find((r) => r.name === 'ffmpeg.speed')?.value).toMatch(/^speed 5x/);
    expect(messages).toContain('waiting for btfs.gateway to settle');
  });

  it('gives up at --retry-timeout and reports the failure', async () => {
    const host = new FakeHost((kind) => (kind === 'full' ? fullOutput({ now: now(), gw: GW_DOWN, ffmpeg: [1, 50, REFUSED_LOG] }) : settleOutput(false)));
    const started = Date.now();
    const results = await verifyHost(host, labInput(), { ...fast, retryTimeoutSec: 0.3 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(host.calls.filter((c) => c.kind === 'settle').length).toBeGreaterThanOrEqual(1);
    expect(host.calls.some((c) => c.kind === 'ffmpeg')).toBe(false);
    expect(results.find((r) => r.name === 'btfs.gateway')).toMatchObject({ status: 'fail', value: expect.stringContaining('connection refused') });
    expect(results.find((r) => r.name === 'ffmpeg.speed')?.status).toBe('warn');
  });

  it('--retry-timeout 0: no retry at all', async () => {
    const host = new FakeHost((kind) => (kind === 'full' ? fullOutput({ now: now(), gw: GW_DOWN }) : settleOutput(true)));
    await verifyHost(host, labInput(), { ...fast, retryTimeoutSec: 0 });
    expect(host.calls.map((c) => c.kind)).toEqual(['full']);
  });

  it('checks: only the listed checks (and the unowned ones) are reported, and no FFmpeg test without ffmpeg.speed', async () => {
    const host = new FakeHost(() => fullOutput({ now: now(), gw: GW_DOWN }));
    const results = await verifyHost(host, labInput(), { ...fast, retryTimeoutSec: 0, checks: ['unit.btfs', 'btfs.gateway', 'ffmpeg-encoder'] });
    expect(results.map((r) => r.name)).toEqual(['clock', 'unit.btfs', 'btfs.gateway', 'reach.dlive']);
    // The script does not call the FFmpeg test (script.test.ts: no call, no FFMPEG line).
    expect(String(host.calls[0]?.options?.stdin).split('\n')).not.toContain('ffmpeg_test');
    expect(String(host.calls[0]?.options?.stdin)).toMatch(/^in_parallel .*\bclock_check\b/m);
  });

  describe('on a Pi that streams', () => {
    /** The full script's output when streamer_live found the streamer in `state` (no FFMPEG line then). */
    const liveFull = (state: 'samples' | 'starting', etat = '', tour = '') =>
      fullOutput({ now: now() }).replace(/^FFMPEG\t.*$/m, `LIVE\t${state}\t${state === 'starting' ? 4 : 400}\t${b64(etat)}\t${b64(tour)}`);
    const etatAt = (t: number, speed: number) => `at_us=${Math.round(t * 1e6)} frames=6150 bytes=1 media_us=${Math.round((t - 200) * 1e6)}\nat_us=${Math.round((t - 5) * 1e6)} frames=6000 bytes=1 media_us=${Math.round((t - 200 - 5 * speed) * 1e6)}\n`;
    const liveSettle = (state: 'samples' | 'starting' | 'none', etat = '') => settleOutput(true).replace('END', `LIVE\t${state}\t9\t${b64(etat)}\nEND`);

    it('reads the encoder\'s speed from the live streamer: one round trip, no test encode', async () => {
      const host = new FakeHost(() => liveFull('samples', etatAt(now() - 1, 1)));
      const results = await verifyHost(host, labInput(), fast);
      expect(host.calls.map((c) => c.kind)).toEqual(['full']);
      expect(results.find((r) => r.name === 'ffmpeg.speed')).toMatchObject({ status: 'pass', value: expect.stringMatching(/^live: 1\.00x real time, 30 fps over the last 5\.0 s .*no test encode on air/) });
      // The full script asks for the live streamer first.
      expect(String(host.calls[0]?.options?.stdin)).toMatch(/^FFMPEG_LIVE=1$/m);
    });

    it('a stream on the slate: live, but a warning that says why the playlist is not playing', async () => {
      const tour = `round=4\nvideos=1\non_air=slate\nsince=${Math.round((now() - 42) * 1e6)}\nreason=the BTFS gateway does not serve http://127.0.0.1:8080/btfs/QmA (the gateway answered HTTP 504)\n`;
      const host = new FakeHost(() => liveFull('samples', etatAt(now() - 1, 1), tour));
      const results = await verifyHost(host, labInput(), fast);
      expect(results.find((r) => r.name === 'ffmpeg.speed')).toMatchObject({
        status: 'warn',
        value: expect.stringMatching(/^live: 1\.00x real time.*; on the slate for 4[12] s: the BTFS gateway does not serve http:\/\/127\.0\.0\.1:8080\/btfs\/QmA \(the gateway answered HTTP 504\)$/),
        hint: expect.stringMatching(/^the playlist resumes by itself/),
      });
      // A video on air is no warning.
      const playing = new FakeHost(() => liveFull('samples', etatAt(now() - 1, 1), tour.replace('on_air=slate', 'on_air=video')));
      expect((await verifyHost(playing, labInput(), fast)).find((r) => r.name === 'ffmpeg.speed')?.status).toBe('pass');
    });

    it('a live stream that falls behind real time fails with the encoder hint', async () => {
      const host = new FakeHost((kind) => (kind === 'full' ? liveFull('samples', etatAt(now() - 1, 0.8)) : liveSettle('samples', etatAt(now() - 1, 0.8))));
      const results = await verifyHost(host, labInput(), { ...fast, retryTimeoutSec: 0.2 });
      expect(results.find((r) => r.name === 'ffmpeg.speed')).toMatchObject({ status: 'fail', value: expect.stringMatching(/^live: 0\.80x .*falls behind/), hint: expect.stringMatching(/cannot encode with enough headroom/) });
      expect(host.calls.some((c) => c.kind === 'ffmpeg')).toBe(false);
      // A --min-speed below real time (a slow Pi accepted as it is) lowers the live bar too.
      const accepted = await verifyHost(host, labInput(), { ...fast, retryTimeoutSec: 0, minSpeed: 0.5 });
      expect(accepted.find((r) => r.name === 'ffmpeg.speed')?.status).toBe('pass');
    });

    it('a streamer that just started is waited for, not tested on air', async () => {
      const host = new FakeHost((kind, nth) => (kind === 'full' ? liveFull('starting') : liveSettle(nth >= 1 ? 'samples' : 'starting', etatAt(now() - 1, 1))));
      const messages: string[] = [];
      const results = await verifyHost(host, labInput(), { ...fast, retryTimeoutSec: 5, progress: (m) => messages.push(m) });
      expect(host.calls.map((c) => c.kind)).toEqual(['full', 'settle', 'settle']);
      expect(results.find((r) => r.name === 'ffmpeg.speed')?.value).toMatch(/^live: 1\.00x/);
      expect(messages).toContain('waiting for ffmpeg.speed to settle');
    });

    it('a streamer that stops before giving its speed: the test encode runs after all', async () => {
      const host = new FakeHost((kind) => {
        if (kind === 'full') return liveFull('starting');
        if (kind === 'settle') return liveSettle('none');
        return `NOW\t${now()}\nFFMPEG\t0\t2000\torbis\tlibx264\tconfigured\t${b64('time=00:00:10.00 bitrate=N/A speed=5.0x\n')}\nEND\n`;
      });
      const results = await verifyHost(host, labInput(), { ...fast, retryTimeoutSec: 5 });
      expect(host.calls.map((c) => c.kind)).toEqual(['full', 'settle', 'ffmpeg']);
      expect(String(host.calls[2]?.options?.stdin)).toMatch(/^FFMPEG_LIVE=0$/m);
      expect(results.find((r) => r.name === 'ffmpeg.speed')?.value).toMatch(/^speed 5x/);
    });
  });

  it('a script cut short is one failed result, not an exception', async () => {
    const host = new FakeHost(() => fullOutput({ now: now(), end: false }));
    const results = await verifyHost(host, labInput(), fast);
    expect(results).toEqual([{ name: 'verify.script', status: 'fail', value: 'the verify script stopped early (exit 0)', hint: expect.any(String) }]);
  });
});
