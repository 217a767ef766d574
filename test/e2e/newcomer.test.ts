// The newcomer's path (issue #18): README.md's "Your own Pi, in five steps", taken as the README
// writes them, against a lab Pi. The commands are read from README.md (this file holds none of
// them), `orbis init` is answered on a real terminal (a pseudo-terminal, helpers/pty-run.py), and
// each command's exit code is the one the README gives. When the README changes, this follows.
//
// What a lab needs that a user's Pi does not, and nothing else (each is said in the README for
// users in the same situation):
// 1. raspberrypi.local is the lab Pi's address: ~/.ssh/config (in a HOME of the test's own) has
//    `Host raspberrypi.local` with its HostName and the lab's key as IdentityFile. The README:
//    "orbis connects as ssh would (your ~/.ssh/config, ...)", and a Pi under another name is
//    given by that name. `ssh` itself reads the home of the passwd entry, not $HOME: step 1's
//    `ssh` gets the same file with -F.
// 2. Step 2 (a key on the Pi) is done already: the lab Pi has the lab's key (the IdentityFile
//    above), as `ssh-copy-id` would have left it.
// 3. BTFS is pinned from the lab's release mirror, for the lab Pi's architecture:
//    `orbis init --arch amd64 --btfs-url <mirror>` (the README: "--arch arm64,amd64 for test
//    machines too", "behind a mirror: --btfs-url").
// 4. A small stream, for the lab's Pis share this machine's cores: ORBIS_LARGEUR_MAX,
//    ORBIS_HAUTEUR_MAX and ORBIS_PRESET_ENCODAGE in the environment (the README: ORBIS_<KEY> in
//    the environment overrides any setting).
// 5. The commands run in a scratch folder (conf/ and inventory/ are written there, not in the
//    checkout), with `orbis` as the README's alias gives it: node <checkout>/dist/src/cli/main.js.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHost, LabState } from '../../src/lab/index.js';
import { packageRoot } from '../../src/util/paths.js';
import { freshHost, getLab, releaseHost, waitFor } from './helpers/lab.js';
import { expectMedia, newKeys, newRecording, recordingNames } from './helpers/stack.js';

const README = readFileSync(join(packageRoot(), 'README.md'), 'utf8');

/** The README's five steps: for each, its text and its command (the first `orbis`/`ssh` code span). */
function readmeSteps(): Array<{ title: string; text: string; command?: string }> {
  const section = /^## Your own Pi, in five steps\n([\s\S]*?)^## /m.exec(README)?.[1];
  if (!section) throw new Error('README.md has no "## Your own Pi, in five steps" section');
  const steps = section.split(/^(?=\d\. \*\*)/m).filter((s) => /^\d\. \*\*/.test(s));
  return steps.map((text) => {
    const title = /^\d\. \*\*([^*]+)\*\*/.exec(text)?.[1] ?? '';
    const command = [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).find((c) => /^(orbis|ssh) /.test(c));
    return { title, text, ...(command ? { command } : {}) };
  });
}

/** The README's way to run `orbis`: `alias orbis="node $PWD/<path>"`, from the checkout. */
function orbisCommand(): string[] {
  const path = /alias orbis="node \$PWD\/([^"]+)"/.exec(README)?.[1];
  if (!path) throw new Error('README.md no longer says how to run orbis (alias orbis="node $PWD/...")');
  return [process.execPath, join(packageRoot(), path)];
}

/** A command line as a shell would split it (the README's commands hold no quotes). */
function words(command: string): string[] {
  if (/["'\\$]/.test(command)) throw new Error(`the README command needs a shell: ${command}`);
  return command.trim().split(/\s+/);
}

interface Ran {
  code: number | null;
  out: string;
}

function run(argv: string[], cwd: string, env: Record<string, string>, timeoutMs = 600_000): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Run on a pseudo-terminal, answering prompts (helpers/pty-run.py). */
function onTerminal(argv: string[], cwd: string, env: Record<string, string>, steps: Array<{ expect: string; send: string }>): Promise<{ code: number | null; transcript: string; unanswered: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [join(__dirname, 'helpers', 'pty-run.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`pty-run.py printed no report: ${out}`));
      }
    });
    child.stdin.end(JSON.stringify({ argv, cwd, env, steps, timeout: 300 }));
  });
}

let lab: LabState;
let pi: LabHost;
const keys = newKeys('newcomer');
const printed: string[] = [];
let home: string;
let project: string;
let env: Record<string, string>;
const orbis = orbisCommand();
const steps = readmeSteps();

describe("README.md's five steps, as a newcomer takes them", () => {
  beforeAll(async () => {
    lab = await getLab();
    pi = await freshHost();
    home = mkdtempSync(join(tmpdir(), 'orbis-newcomer-home-'));
    project = mkdtempSync(join(tmpdir(), 'orbis-newcomer-'));
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    // Substitution 1: raspberrypi.local is the lab Pi.
    writeFileSync(
      join(home, '.ssh', 'config'),
      `Host raspberrypi.local\n  HostName ${pi.address}\n  IdentityFile ${pi.keyPath}\n  UserKnownHostsFile ${join(home, '.ssh', 'known_hosts')}\n  StrictHostKeyChecking accept-new\n`,
      { mode: 0o600 },
    );
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      TERM: 'xterm',
      // Substitution 4: a small stream.
      ORBIS_LARGEUR_MAX: '640',
      ORBIS_HAUTEUR_MAX: '360',
      ORBIS_PRESET_ENCODAGE: 'ultrafast',
    };
  }, 600_000);
  afterAll(async () => {
    await releaseHost(pi);
    // Nothing orbis printed holds a key: not the prompts, the plan, the run, the status.
    for (const text of printed) for (const key of [keys.dlive, keys.kick]) expect(text.includes(key), 'a stream key was printed').toBe(false);
  });

  it('has five steps; 1, 3, 4 and 5 each name a command', () => {
    expect(steps.map((s) => s.title)).toHaveLength(5);
    expect([0, 2, 3, 4].map((i) => steps[i]?.command?.split(' ')[0])).toEqual(['ssh', 'orbis', 'orbis', 'orbis']);
    // The lab's substitutions are explained there for users in the same situation.
    expect(README).toMatch(/--arch arm64,amd64`\s+for test machines/);
    expect(README).toMatch(/behind a mirror: `--btfs-url`/);
    expect(README).toMatch(/orbis connects as `ssh`\s+would \(your `~\/\.ssh\/config`/);
    expect(README).toMatch(/`ORBIS_<KEY>` in the environment/);
  });

  it('1. the Pi answers `ssh pi@raspberrypi.local`', async () => {
    const [ssh, ...rest] = words(steps[0]!.command!);
    const result = await run([ssh!, '-F', join(home, '.ssh', 'config'), '-o', 'BatchMode=yes', ...rest, 'true'], project, env, 60_000);
    expect(result.code, result.out).toBe(0);
  });

  it('3. `orbis init` on a terminal: platforms, keys typed unseen, where to keep them, the Pi; BTFS pinned', async () => {
    const [, ...args] = words(steps[2]!.command!);
    expect(args).toEqual(['init']);
    // Substitution 3: the lab's mirror, the lab Pi's architecture.
    // By the ingest's address: this machine does not resolve the lab's names, the Pi reaches it too.
    const mirror = `http://${lab.ingest.address}/releases/download/btfs-v{version}/btfs-linux-{arch}.tar`;
    const answers = [
      { expect: 'Stream to which platforms\\?', send: '\r' }, // Enter: toutes (both)
      { expect: 'DLive stream key', send: `${keys.dlive}\r` },
      { expect: 'Kick stream key', send: `${keys.kick}\r` },
      { expect: 'Choice', send: '\r' }, // 1) conf/orbis.conf
      { expect: 'Your Pi, as', send: '\r' }, // pi@raspberrypi.local
      { expect: 'Its name in the inventory', send: '\r' },
    ];
    const init = await onTerminal([...orbis, ...args, '--arch', 'amd64', '--btfs-url', mirror], project, env, answers);
    printed.push(init.transcript);
    expect(init.unanswered, init.transcript).toBeNull();
    expect(init.code, init.transcript).toBe(0); // "0 written (and BTFS pinned ...)" (orbis init --help)
    const conf = readFileSync(join(project, 'conf', 'orbis.conf'), 'utf8');
    expect(statSync(join(project, 'conf', 'orbis.conf')).mode & 0o777).toBe(0o600); // "mode 0600"
    expect(conf).toMatch(/^BTFS_SHA256_AMD64="?[0-9a-f]{64}"?/m);
    expect(conf).toContain(`DLIVE_CLE_FLUX=`);
    expect(init.transcript).toMatch(/sha256/i);
  }, 600_000);

  it('4. `orbis provision pi@raspberrypi.local --check` shows the plan, changes nothing, exits 2', async () => {
    const [, ...args] = words(steps[3]!.command!);
    const check = await run([...orbis, ...args], project, env);
    printed.push(check.out);
    expect(check.code, check.out).toBe(2); // "exit 2 when something would change"
    expect(check.out).toMatch(/would change/);
    expect(check.out).not.toMatch(/is empty|BTFS is not pinned/);
  }, 600_000);

  it('5. `orbis provision pi@raspberrypi.local` applies and verifies; the stream reaches both platforms; `orbis status` finds nothing wrong', async () => {
    const [, ...args] = words(steps[4]!.command!);
    const before = { dlive: await recordingNames(lab, 'dlive', keys.dlive), kick: await recordingNames(lab, 'kick', keys.kick) };
    const provision = await run([...orbis, ...args], project, env);
    printed.push(provision.out);
    expect(provision.code, provision.out).toBe(0); // "0 success"
    const [dlive, kick] = await Promise.all([
      newRecording(lab, 'dlive', keys.dlive, before.dlive, 60_000),
      newRecording(lab, 'kick', keys.kick, before.kick, 60_000),
    ]);
    for (const recording of [dlive, kick]) await expectMedia(recording, { video: { codec_name: 'h264', width: 640, height: 360 } });
    // The README's Live section: `orbis status pi@...`. Exit 0 once both pushes are up, and no
    // error at any time (it used to say "last error ... Failed with result 'exit-code'" after every
    // provision, though the stream was fine).
    const status = await waitFor(
      'orbis status to report the Pi ok',
      async () => {
        const result = await run([...orbis, 'status', 'pi@raspberrypi.local'], project, env, 60_000);
        printed.push(result.out);
        expect(result.out).not.toMatch(/last error/);
        return result.code === 0 ? result : undefined;
      },
      60_000,
      2000,
    );
    expect(status.out).toMatch(/\bok\b/);
  }, 900_000);
});
