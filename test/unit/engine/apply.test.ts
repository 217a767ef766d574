import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyCommand, runApplyScript, stepEventOf, type StepEvent } from '../../../src/engine/apply.js';
import { describeStep } from '../../../src/engine/run.js';
import type { Plan } from '../../../src/engine/plan.js';
import type { ExecOptions, ExecResult, Transport } from '../../../src/transport/types.js';

const plan: Plan = {
  changes: [
    { id: { role: 'nginx-rtmp', type: 'package', name: 'nginx' }, summary: 'install', actions: [{ op: 'apt-install', packages: ['nginx'] }] },
    { id: { role: 'nginx-rtmp', type: 'file', name: '/etc/nginx/nginx.conf' }, summary: 'update', actions: [] },
  ],
  handlers: [{ name: 'reload nginx', role: 'nginx-rtmp', unit: 'nginx.service', action: 'reload' }],
  pendingFromEarlier: [],
  manifest: {},
  empty: false,
};

/** A host that answers the apply command with events on stdout and live step lines on stderr. */
function scriptedHost(stderrLines: string[], stdout: string): Transport & { seen: ExecOptions[] } {
  const seen: ExecOptions[] = [];
  return {
    name: 'pi1',
    roundTrips: 0,
    connections: 1,
    seen,
    async exec(_command: string, options: ExecOptions = {}): Promise<ExecResult> {
      seen.push(options);
      for (const line of stderrLines) options.onStderrLine?.(line);
      return { stdout, stderr: stderrLines.join('\n'), code: 0, signal: null, timedOut: false };
    },
    async close(): Promise<void> {},
  };
}

describe('apply command', () => {
  it('is valid bash', () => {
    expect(() => execFileSync('bash', ['-n'], { input: applyCommand('20261124-abc', 60) })).not.toThrow();
  });

  it('reports each step as it begins, and keeps those lines out of the stderr it returns', async () => {
    const host = scriptedHost(['orbis-step BEGIN apt', 'orbis-step OK apt', 'orbis-step BEGIN 1', 'sudo: a real warning', 'orbis-step BEGIN handlers'], 'BEGIN\tapt\nOK\tapt\nDONE\n');
    const steps: StepEvent[] = [];
    const result = await runApplyScript(host, 'id', 'script', 60, { onStep: (event) => steps.push(event) });
    expect(steps).toEqual([
      { kind: 'begin', step: 'apt' },
      { kind: 'ok', step: 'apt' },
      { kind: 'begin', step: '1' },
      { kind: 'begin', step: 'handlers' },
    ]);
    expect(result.stderr).toBe('sudo: a real warning');
    expect(result.done).toBe(true);
    expect(result.begun).toEqual(['apt']);
  });

  it('tells progress lines from anything else on stderr', () => {
    expect(stepEventOf('orbis-step BEGIN validate:nginx-rtmp')).toEqual({ kind: 'begin', step: 'validate:nginx-rtmp' });
    expect(stepEventOf('orbis-step OK 3')).toEqual({ kind: 'ok', step: '3' });
    expect(stepEventOf('orbis-step FAIL 3')).toBeUndefined();
    expect(stepEventOf('BEGIN\t3')).toBeUndefined();
    // The events file carries each step's time after it: not part of the step's name.
    expect(stepEventOf('orbis-step BEGIN apt\t1700000000.250000')).toEqual({ kind: 'begin', step: 'apt' });
  });

  it('runs the script it is given on stdin, follows its events live on stderr, returns them and its status (launch.sh)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbis-launch-'));
    try {
      // Here without systemd (no /run/systemd/system): plain bash runs it. The lab's hosts run it
      // as a transient unit (every e2e apply).
      const script = [
        'printf "BEGIN\\tapt\\t1700000000.250000\\n" >> "$1/events"',
        'printf "OK\\tapt\\t1700000010.000000\\nHANDLER\\tbmFtZQ==\\n" >> "$1/events"',
        'printf "BEGIN\\tvalidate:nginx-rtmp\\t1700000011.000000\\n" >> "$1/events"',
        // A run lasts longer than tail's polling period (0.3 s): steps take time.
        'sleep 0.7',
        'exit 3',
      ].join('\n');
      const command = applyCommand('20261124-abc', 60).split('/var/lib/orbis').join(join(dir, 'state'));
      const r = spawnSync('bash', ['-c', command], { input: script, encoding: 'utf8' });
      expect(r.status).toBe(3);
      expect(r.stdout).toBe('BEGIN\tapt\t1700000000.250000\nOK\tapt\t1700000010.000000\nHANDLER\tbmFtZQ==\nBEGIN\tvalidate:nginx-rtmp\t1700000011.000000\n');
      const [said, ...progress] = r.stderr.split('\n').filter(Boolean).reverse();
      expect(progress.reverse().map(stepEventOf)).toEqual([
        { kind: 'begin', step: 'apt' },
        { kind: 'ok', step: 'apt' },
        { kind: 'begin', step: 'validate:nginx-rtmp' },
      ]);
      // It failed without a FAIL event (as when a full disk keeps it from writing one): the
      // launcher says how much room the state's disk has.
      expect(said).toMatch(/^the run ended without recording why: \/\S* has \d+ KiB free \(\d+% used\)$/);
      // The run's directory (its script held file contents) is gone once read.
      expect(existsSync(join(dir, 'state', 'runs', '20261124-abc'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a script that cannot be written (no space left) is neither run nor left behind, and the error says how full the disk is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbis-launch-'));
    try {
      // /dev/full: every write fails with ENOSPC, as on a full disk. The run's directory is a
      // symlink into it only for the script's name.
      const command = applyCommand('20261124-full', 60).split('/var/lib/orbis').join(join(dir, 'state'));
      mkdirSync(join(dir, 'state', 'runs', '20261124-full'), { recursive: true });
      symlinkSync('/dev/full', join(dir, 'state', 'runs', '20261124-full', 'apply.sh'));
      const r = spawnSync('bash', ['-c', command], { input: 'echo ran > "$1/ran"\n', encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('No space left on device');
      expect(r.stderr).toMatch(/\ncannot write the run script to \S+\/runs\/20261124-full: \/\S* has \d+ KiB free \(\d+% used\)\n$/);
      expect(existsSync(join(dir, 'state', 'runs', '20261124-full'))).toBe(false);
      expect(r.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('describes a step by role and resource, with its place in the plan', () => {
    expect(describeStep(plan, 'apt')).toBe('installing packages');
    expect(describeStep(plan, '1')).toBe('nginx-rtmp: file /etc/nginx/nginx.conf (2/2)');
    expect(describeStep(plan, 'validate:nginx-rtmp')).toBe('nginx-rtmp: validating');
    expect(describeStep(plan, 'handlers')).toBe('running handlers (reload nginx)');
    expect(describeStep(plan, 'record')).toBe('recording the run');
  });
});
