// `orbis demo` end to end, as a new user runs it: the compiled CLI boots its own lab (beside the
// e2e lab: its own name and subnet), provisions and verifies the Pi, shows the stream arriving,
// and removes the lab. The test watches the stand-in platforms' recordings itself while the demo
// runs: that is where it learns the demo's keys (recordings are named after them), to check
// they were never printed nor on a command line.
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labDown, labLayout, labStatus } from '../../src/lab/index.js';
import { packageRoot } from '../../src/util/paths.js';
import { E2E_LAB_NAME } from './helpers/lab.js';

const DEMO_LAB = `${E2E_LAB_NAME}-demo`;
const DEMO_SUBNET = process.env.ORBIS_E2E_DEMO_SUBNET ?? '10.213.2.0/24';
const CLI = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
const layout = labLayout(DEMO_LAB);

interface Seen {
  /** Recording file name -> sizes seen, in order. */
  files: Map<string, number[]>;
  /** Keys (from recording names) found on a process command line while the demo ran. */
  onCommandLines: string[];
}

interface DemoRun {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  seen: Record<'dlive' | 'kick', Seen>;
}

/** The key a recording is named after: nginx-rtmp writes `<key>-<unix time>.flv`. */
const keyOf = (file: string) => file.replace(/-\d+\.flv$/, '');

async function commandLinesWith(needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    for (const n of needles) if (cmdline.includes(n)) found.push(n);
  }
  return found;
}

/** Run `orbis demo ...args`; `interrupt` decides, from the output so far, when to send SIGINT. */
function demo(args: string[], interrupt?: (stdout: string, stderr: string) => boolean): Promise<DemoRun> {
  const seen: DemoRun['seen'] = { dlive: { files: new Map(), onCommandLines: [] }, kick: { files: new Map(), onCommandLines: [] } };
  const watch = async () => {
    for (const platform of ['dlive', 'kick'] as const) {
      const dir = join(layout.recordingsDir, platform);
      for (const file of (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.flv'))) {
        const size = (await stat(join(dir, file)).catch(() => undefined))?.size;
        if (size === undefined) continue;
        const sizes = seen[platform].files.get(file) ?? [];
        if (sizes.length === 0) seen[platform].onCommandLines.push(...(await commandLinesWith([keyOf(file)])));
        if (sizes[sizes.length - 1] !== size) sizes.push(size);
        seen[platform].files.set(file, sizes);
      }
    }
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'demo', '--name', DEMO_LAB, '--subnet', DEMO_SUBNET, ...args], { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    let watching = Promise.resolve();
    const poll = setInterval(() => {
      watching = watching.then(watch, watch);
    }, 400);
    const limit = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    const check = () => {
      if (interrupt && !interrupted && interrupt(stdout, stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      check();
    });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(limit);
      void watching.then(() => resolve({ stdout, stderr, code, signal, seen }));
    });
  });
}

/** Nothing of the demo's lab is left: no state, no process, mount, netns, link or rule. */
async function expectLabGone(): Promise<void> {
  const status = await labStatus({ name: DEMO_LAB });
  expect(status.up).toBe(false);
  expect(status.leftovers).toBeUndefined();
  await expect(stat(layout.dir)).rejects.toThrow(/ENOENT/);
}

function keysSeen(run: DemoRun): string[] {
  return (['dlive', 'kick'] as const).flatMap((p) => [...run.seen[p].files.keys()].map(keyOf));
}

afterAll(async () => {
  await labDown({ name: DEMO_LAB }).catch(() => undefined);
});

describe('orbis demo', () => {
  it('provisions, verifies, streams to both stand-in platforms, removes its lab, and never shows a key', async () => {
    const started = Date.now();
    const run = await demo(['--json', '--watch', '3']);
    process.stderr.write(`[demo] full demo: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);

    // Seen by the test itself, while the demo ran: a recording per platform, growing.
    for (const platform of ['dlive', 'kick'] as const) {
      const sizes = [...run.seen[platform].files.values()];
      expect(sizes.length, `${platform} recordings`).toBeGreaterThan(0);
      expect(Math.max(...sizes.map((s) => s.length)), `${platform} recording sizes seen growing`).toBeGreaterThanOrEqual(2);
      expect(Math.max(...sizes.flat())).toBeGreaterThan(64 * 1024);
    }
    // The demo's own report agrees.
    const report = JSON.parse(run.stdout) as { ok: boolean; stream: Array<{ platform: string; grewBytes: number; file: string }>; lab: { kept: boolean }; log?: string };
    expect(report.ok).toBe(true);
    expect(report.stream.map((s) => s.platform)).toEqual(['dlive', 'kick']);
    for (const s of report.stream) {
      expect(s.grewBytes).toBeGreaterThan(0);
      expect(s.file).toMatch(/^\*+-\d+\.flv$/);
    }
    expect(run.stderr).toMatch(/\[4\/5\] The stream arriving/);
    expect(run.stderr).toMatch(/Done in .*\n.*changes in/);
    expect(run.stderr).toContain('The lab is gone');

    // Quiet: the lab's packages are there (the e2e machine has them), so a line per step and a
    // few live lines; apt's, the lab's and orbis provision's own output only in the log it names.
    const story = run.stderr.split('\n');
    expect(story, run.stderr).toContain('      all present');
    expect(story.length, run.stderr).toBeLessThan(45);
    expect(run.stderr).not.toMatch(/^(Get:\d|Reading package lists|Setting up |Unpacking |› |lab: )/m);
    const logFile = /^Its whole output \(.*\) goes to (\S+)$/m.exec(run.stderr)?.[1];
    expect(logFile, run.stderr).toBeDefined();
    const log = await readFile(logFile ?? '', 'utf8');
    expect(log).toMatch(/^lab: starting lab host pi1 /m);
    expect(log).toMatch(/^› .*applying: /m);
    expect(report).toMatchObject({ log: logFile });

    const keys = keysSeen(run);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) {
      expect(key.length).toBeGreaterThan(8);
      expect(run.stdout).not.toContain(key);
      expect(run.stderr).not.toContain(key);
      expect(log).not.toContain(key);
    }
    expect([...run.seen.dlive.onCommandLines, ...run.seen.kick.onCommandLines]).toEqual([]);
    await expectLabGone();
  });

  it('Ctrl-C while provisioning removes the lab at once and exits 130', async () => {
    let provisioningAt = 0;
    // Once `orbis provision` is at work on the Pi (its progress shows in the live line), not before.
    const run = await demo([], (out) => {
      if (!/^\s+applying: /m.test(out)) return false;
      provisioningAt ||= Date.now();
      return true;
    });
    const stoppedIn = Date.now() - provisioningAt;
    process.stderr.write(`[demo] stopped ${(stoppedIn / 1000).toFixed(1)} s after SIGINT\n`);
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain(`SIGINT: stopping the demo and removing its lab "${DEMO_LAB}"`);
    expect(run.stderr).toContain('the lab is gone');
    // Not after provisioning would have ended (it takes a minute or more on a fresh Pi).
    expect(stoppedIn).toBeLessThan(45_000);
    await expectLabGone();
  });

  it('--keep leaves the Pi streaming and prints commands that work: ssh, check (in sync), lab down', async () => {
    const run = await demo(['--keep', '--watch', '2']);
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    expect(run.stdout).toContain(`The lab "${DEMO_LAB}" is still up (--keep) and the Pi keeps streaming`);
    const printed = (pattern: RegExp): string[] => {
      const line = run.stdout.split('\n').find((l) => pattern.test(l));
      if (!line) throw new Error(`no line matching ${pattern} in:\n${run.stdout}`);
      expect(line, 'printed without shell quoting, so splitting on spaces is exact').not.toMatch(/['"]/);
      return line.trim().split(/\s+/);
    };
    const exec = (argv: string[]) =>
      new Promise<{ out: string; code: number | null }>((resolve) => {
        const child = spawn(argv[0]!, argv.slice(1), { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => resolve({ out, code }));
      });

    const ssh = printed(/^ {2}ssh /);
    const active = await exec([...ssh.slice(0, -1), '-o', 'BatchMode=yes', ssh[ssh.length - 1]!, 'systemctl is-active orbis nginx']);
    expect(active.out).toBe('active\nactive\n');
    const check = await exec(printed(/ check pi@/));
    expect(check.code, check.out).toBe(0);
    expect(check.out).toMatch(/in sync/);
    for (const key of keysSeen(run)) {
      expect(run.stdout + run.stderr + check.out).not.toContain(key);
    }
    const down = await exec(printed(/ lab down --name /));
    expect(down.code, down.out).toBe(0);
    await expectLabGone();
  });
});
