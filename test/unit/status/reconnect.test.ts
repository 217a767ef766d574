import { describe, expect, it } from 'vitest';
import { ReconnectError, reconnectHost } from '../../../src/status/reconnect.js';
import type { ExecOptions, ExecResult, Transport } from '../../../src/transport/types.js';
import { dropSandbox } from './drop-sandbox.js';
import { fixture, statusInput, statusOutput } from './helpers.js';

const LAB = fixture('stat-lab.xml');
/** /stat with the Kick push now connection `id` (nginx numbers each new connection). */
const kickAs = (id: number) => LAB.replace('<client><id>7</id>', `<client><id>${id}</id>`);
const withoutKick = LAB.split('\n').filter((l) => !l.includes('<address>127.0.0.1:11935')).join('\n');

/**
 * A Pi whose /stat goes through `stats` (one per status script; the last one repeats), and that
 * runs the drop script for real in a sandbox (its control socket there or not, as `control` says).
 */
class FakePi implements Transport {
  readonly name = 'fake';
  roundTrips = 0;
  readonly connections = 1;
  /** Per drop script run: the drop requests curl sent, one a line. */
  readonly drops: string[] = [];
  constructor(
    private readonly stats: string[],
    private readonly control: { socket?: boolean } = {},
  ) {}
  async exec(_command: string, options?: ExecOptions): Promise<ExecResult> {
    const script = String(options?.stdin ?? '');
    this.roundTrips += 1;
    // What is asked, by the script's label: the drop runs for real, a look answers from `stats`.
    if (options?.label === 'reconnect (drop)') {
      const pi = await dropSandbox(this.control);
      try {
        const run = pi.run(script);
        this.drops.push(run.curls.join('\n'));
        return { stdout: run.stdout, stderr: '', code: 0, signal: null, timedOut: false };
      } finally {
        pi.close();
      }
    }
    if (options?.label !== 'status') throw new Error(`asked for something this Pi does not answer: ${options?.label ?? 'no label'}`);
    const stat = this.stats.length > 1 ? (this.stats.shift() as string) : (this.stats[0] as string);
    return { stdout: statusOutput({ now: Date.now() / 1000, stat: [0, 200, stat] }), stderr: '', code: 0, signal: null, timedOut: false };
  }
  async close(): Promise<void> {}
}

const input = statusInput();
const fast = { timeoutSec: 2, pollMs: 10 };

describe('orbis reconnect on one Pi', () => {
  it('--platform kick drops only the Kick push, waits for a new one, and sees DLive\'s push untouched', async () => {
    const pi = new FakePi([LAB, withoutKick, withoutKick, kickAs(9)]);
    const outcome = await reconnectHost('pi1', pi, input, { platforms: ['kick'], ...fast });
    expect(pi.drops).toHaveLength(1);
    expect(pi.drops[0]).toContain('clientid=7');
    expect(pi.drops[0]).not.toContain('clientid=2');
    expect(outcome.platforms).toEqual([{ platform: 'kick', dropped: 1, reconnected: true, afterSec: expect.any(Number) }]);
    expect(outcome.others).toEqual([{ platform: 'dlive', untouched: true, state: 'connected' }]);
    // Read, drop, then one look per poll until the new push shows.
    expect(pi.roundTrips).toBe(5);
  });

  it('every enabled platform when none is named', async () => {
    const pi = new FakePi([LAB, LAB.replace('<client><id>7</id>', '<client><id>9</id>').replace('<client><id>2</id>', '<client><id>8</id>')]);
    const outcome = await reconnectHost('pi1', pi, input, { platforms: [], ...fast });
    expect(pi.drops[0]).toMatch(/clientid=2[\s\S]*clientid=7/);
    expect(outcome.platforms.map((p) => [p.platform, p.reconnected])).toEqual([['dlive', true], ['kick', true]]);
    expect(outcome.others).toEqual([]);
  });

  it('a push that does not come back in time is reported, not waited for forever', async () => {
    const pi = new FakePi([LAB, withoutKick]);
    const outcome = await reconnectHost('pi1', pi, input, { platforms: ['kick'], timeoutSec: 0.1, pollMs: 10 });
    expect(outcome.platforms).toEqual([{ platform: 'kick', dropped: 1, reconnected: false }]);
  });

  it('refuses a platform the host does not stream to, before dropping anything', async () => {
    const pi = new FakePi([LAB]);
    await expect(reconnectHost('pi1', pi, statusInput(['PLATEFORMES=dlive']), { platforms: ['kick'], ...fast })).rejects.toThrow(ReconnectError);
    expect(pi.roundTrips).toBe(0);
  });

  it('a Pi without the control socket is told to be provisioned again', async () => {
    const pi = new FakePi([LAB], { socket: false });
    await expect(reconnectHost('pi1', pi, input, { platforms: ['kick'], ...fast })).rejects.toMatchObject({ message: expect.stringContaining('control socket'), hint: expect.stringContaining('orbis provision') });
  });
});
