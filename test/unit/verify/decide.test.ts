import { describe, expect, it } from 'vitest';
import { attributeCauses, decide, finalResults } from '../../../src/verify/decide.js';
import { mergeObservations, parseVerifyOutput } from '../../../src/verify/parse/output.js';
import type { Outcome } from '../../../src/verify/checks/outcome.js';
import { b64, DLIVE_KEY, fixture, fullOutput, KICK_KEY, LAB_PROCS, labInput, unitsText } from './helpers.js';

const ctx = { clock: { sentAt: 1795525120.8, answeredAt: 1795525121.5 }, ffmpeg: { seconds: 10, minSpeed: 1.2, timeLimitSec: 37 } };
const statusOf = (results: Array<{ name: string; status: string }>) => Object.fromEntries(results.map((r) => [r.name, r.status]));

describe('the verify script output', () => {
  it('parses every section', () => {
    const o = parseVerifyOutput(fullOutput());
    expect(o.complete).toBe(true);
    expect(o.unitSamples).toHaveLength(2);
    expect(o.listeners).toHaveLength(9);
    expect(o.processes[2882]).toMatchObject({ name: 'python3', unit: 'btfs.service', user: 'btfs' });
    expect(o.gateway).toEqual({ rc: 0, code: 206, bytes: 512, seconds: 0.001143, error: '' });
    expect(o.api).toEqual({ rc: 0, code: 401 });
    expect(o.resolved).toEqual({ 'fa723fc1b171.global-contribute.live-video.net': '10.216.0.2', 'stream.dlive.tv': '10.216.0.2' });
    expect(o.ffmpeg).toMatchObject({ rc: 0, user: 'orbis', encoder: 'libx264', how: 'configured' });
    expect(parseVerifyOutput(fullOutput({ end: false })).complete).toBe(false);
  });

  it('a settle answer replaces its sections and adds a unit sample', () => {
    const first = parseVerifyOutput(fullOutput({ gw: '7\t000 0 0\t' }));
    const later = parseVerifyOutput(`NOW\t5\nUNITS\t5\t${b64(unitsText())}\nGW\t0\t206 512 0.01\t\nEND\n`);
    const merged = mergeObservations(first, later);
    expect(merged.gateway?.code).toBe(206);
    expect(merged.unitSamples).toHaveLength(3);
    expect(merged.tls).toEqual(first.tls);
    expect(merged.listeners).toEqual(first.listeners);
  });
});

describe('decide', () => {
  it('a healthy lab host: every check passes, in pipeline order, keys masked', () => {
    const input = labInput();
    const results = finalResults(decide(input, parseVerifyOutput(fullOutput()), ctx), input);
    expect(results.map((r) => r.name)).toEqual([
      'clock', 'unit.nginx', 'unit.stunnel', 'unit.btfs', 'unit.orbis',
      'listen.rtmp', 'listen.stats', 'listen.stunnel', 'listen.btfs-gateway', 'listen.exposure',
      'nginx.config', 'nginx.rtmp-module', 'nginx.stat', 'btfs.gateway', 'ffmpeg.speed', 'tls.kick', 'reach.dlive',
      'stream.publisher', 'stream.push.dlive', 'stream.push.kick',
    ]);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    const text = JSON.stringify(results);
    expect(text).not.toContain(DLIVE_KEY);
    expect(text).not.toContain(KICK_KEY);
  });

  it('BTFS stopped: the BTFS unit fails; what only follows from it is a consequence', () => {
    const input = labInput();
    const out = fullOutput({
      units: [unitsText({ 'btfs.service': { ActiveState: 'inactive', SubState: 'dead' } }), unitsText({ 'btfs.service': { ActiveState: 'inactive', SubState: 'dead' } })],
      gw: `7\t000 0 0\t${b64('curl: (7) Failed to connect to 127.0.0.1 port 8080')}`,
      ffmpeg: [1, 120, 'http://127.0.0.1:8080/btfs/Qm: Connection refused\n'],
      api: '7\t000',
    });
    const o = parseVerifyOutput(out);
    o.listeners = o.listeners?.filter((l) => !l.owners.some((w) => w.pid === 2882));
    const results = finalResults(decide(input, o, ctx), input);
    const failed = results.filter((r) => r.status === 'fail').map((r) => r.name);
    expect(failed).toEqual(['unit.btfs']);
    expect(statusOf(results)).toMatchObject({ 'listen.btfs-gateway': 'warn', 'btfs.gateway': 'warn', 'ffmpeg.speed': 'warn', 'tls.kick': 'pass', 'reach.dlive': 'pass' });
    expect(results.find((r) => r.name === 'btfs.gateway')?.value).toMatch(/^not judged: unit\.btfs, listen\.btfs-gateway failed/);
  });

  it('another process on the RTMP port: the port names it, nginx being down is its consequence', () => {
    const input = labInput();
    const ss = fixture('ss-lab.txt').split('\n').filter((l) => !l.includes('nginx')).join('\n') + 'tcp LISTEN 0 5 127.0.0.1:1935 0.0.0.0:* users:(("python3",pid=777,fd=3))\n';
    const down = unitsText({ 'nginx.service': { ActiveState: 'failed', SubState: 'failed', Result: 'exit-code', ExecMainStatus: 1 } });
    const o = parseVerifyOutput(
      fullOutput({
        units: [down, down],
        ss,
        procs: [...LAB_PROCS, [777, 'root', 'python3', 'python3 -m http.server 1935', '0::/system.slice/intruder.service']],
        stat: [7, 0, ''],
      }),
    );
    const results = finalResults(decide(input, o, ctx), input);
    expect(results.filter((r) => r.status === 'fail').map((r) => r.name)).toEqual(['listen.rtmp']);
    expect(results.find((r) => r.name === 'listen.rtmp')?.value).toContain('held by python3 (pid 777, user root, intruder.service');
    expect(results.find((r) => r.name === 'unit.nginx')?.value).toMatch(/^not judged: listen\.rtmp failed/);
  });

  it('a cause is never turned into a consequence', () => {
    const outcomes: Outcome[] = [
      { name: 'unit.nginx', status: 'fail', value: 'failed', settle: true },
      { name: 'listen.rtmp', status: 'fail', value: 'held by python3', settle: true, cause: true, needs: ['unit.nginx'] },
      { name: 'nginx.stat', status: 'fail', value: 'down', settle: true, needs: ['unit.nginx'] },
    ];
    expect(attributeCauses(outcomes).map((o) => o.status)).toEqual(['fail', 'fail', 'warn']);
  });

  it('DLive only: no Kick checks at all', () => {
    const input = labInput(['KICK_ACTIF=false']);
    const names = finalResults(decide(input, parseVerifyOutput(fullOutput()), ctx), input).map((r) => r.name);
    expect(names.filter((n) => /kick|stunnel/.test(n))).toEqual([]);
    // ...but the stale Kick push in /stat is reported.
    expect(names).toContain('stream.push.unexpected');
  });
});
