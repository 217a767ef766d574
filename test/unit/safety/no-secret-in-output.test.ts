// The controller's side of "a stream key never appears in any output": every command of the
// compiled CLI that needs no host (help of every command, provision/check/verify/apply against
// 127.0.0.1:1, which refuses the connection, inventory, secrets, bad configurations), with known
// keys in the conf file, in the environment, in an inventory and in the secrets file. No key may
// appear in stdout, stderr (JSON included), or any file orbis writes under the temporary HOME,
// working directory or TMPDIR. Only 127.0.0.1 is ever named as a target.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, commandPaths, ensureBuilt, runCli, type CliRun } from './cli.js';

const key = (prefix: string) => `${prefix}${randomBytes(9).toString('hex')}`;
const KEYS = {
  confDlive: key('confDlive'),
  confKick: key('sk_us-west-2_confKick'),
  envDlive: key('envDlive'),
  envKick: key('sk_us-west-2_envKick'),
  invEnv: key('invEnvRef'),
  invClear: key('invClear'),
  secretDlive: key('secretDlive'),
  secretKick: key('sk_us-west-2_secretKick'),
};
const ALL_KEYS = Object.values(KEYS);
/** Each key, and its middle part: a half-masked key is still a leak. */
const NEEDLES = ALL_KEYS.flatMap((k) => [k, k.slice(Math.floor(k.length / 3), Math.floor((2 * k.length) / 3))]);

const TARGET = 'pi@127.0.0.1:1';
let root: string;
let work: string;
let baseEnv: Record<string, string>;
let conn: string[];
const inputs = new Map<string, string>();
const runs: CliRun[] = [];
const shmBefore = new Set<string>();

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text, { mode });
  inputs.set(path, text);
}

async function orbis(args: string[], env: Record<string, string> = {}, cwd = work): Promise<CliRun> {
  const run = await runCli(args, { cwd, env: { ...baseEnv, ...env } });
  runs.push(run);
  return run;
}

const withEnvKeys = { ORBIS_DLIVE_CLE_FLUX: KEYS.envDlive, ORBIS_KICK_CLE_FLUX: KEYS.envKick, SALON_DLIVE: KEYS.invEnv };

beforeAll(async () => {
  ensureBuilt();
  root = realpathSync(mkdtempSync(join(tmpdir(), 'orbis-scan-')));
  work = join(root, 'work');
  mkdirSync(join(root, 'home'), { recursive: true });
  mkdirSync(join(root, 'tmp'));
  baseEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(root, 'home'), TMPDIR: join(root, 'tmp'), LANG: 'C.UTF-8' };
  conn = ['--known-hosts', join(root, 'known_hosts'), '--ssh-config', '/dev/null'];
  if (existsSync('/dev/shm')) for (const e of readdirSync('/dev/shm')) shmBefore.add(e);

  write(join(work, 'conf', 'orbis.conf'), `DLIVE_CLE_FLUX="${KEYS.confDlive}"\nKICK_CLE_FLUX='${KEYS.confKick}'\n`);
  const host = (name: string, vars: string) => `  ${name}:\n    address: 127.0.0.1\n    port: 1\n    vars: ${vars}\n`;
  write(join(work, 'inventory', 'env.yaml'), `hosts:\n${host('salon', '{ DLIVE_CLE_FLUX: { env: SALON_DLIVE } }')}${host('cuisine', `{ KICK_CLE_FLUX: ${KEYS.invClear} }`)}`);
  write(join(work, 'inventory', 'secret.yaml'), `hosts:\n${host('garage', '{ KICK_CLE_FLUX: { secret: salon_kick } }')}`);
  const bad = {
    unterminated: `DLIVE_CLE_FLUX="${KEYS.confDlive}\n`,
    trailing: `DLIVE_CLE_FLUX=${KEYS.confDlive} ${KEYS.confKick}\n`,
    slash: `KICK_CLE_FLUX='${KEYS.confKick}/x'\n`,
    substitution: `DLIVE_CLE_FLUX="$(echo ${KEYS.confDlive})"\n`,
    spaces: `DLIVE_CLE_FLUX = ${KEYS.confDlive}\n`,
    typeAfterKey: `DLIVE_CLE_FLUX=${KEYS.confDlive}\nDLIVE_ACTIF=maybe\n`,
  };
  for (const [name, text] of Object.entries(bad)) write(join(work, 'conf', `bad-${name}.conf`), text);

  // The secrets file, made through the CLI (those runs are scanned too).
  await orbis(['secrets', 'init']);
  const plain = join(root, 'plain.yaml');
  write(plain, `salon_kick: ${KEYS.secretKick}\nsalon_dlive: ${KEYS.secretDlive}\n`, 0o600);
  await orbis(['secrets', 'encrypt', plain, '-o', 'conf/secrets.age', '--force']);
  rmSync(plain);
  inputs.delete(plain);
}, 300_000);

afterAll(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

function expectNoKey(run: CliRun): void {
  const shown = `orbis ${run.args.join(' ')} (exit ${run.code})`;
  for (const needle of NEEDLES) {
    if (run.stdout.includes(needle)) throw new Error(`${shown}: a key in stdout:\n${run.stdout}`);
    if (run.stderr.includes(needle)) throw new Error(`${shown}: a key in stderr:\n${run.stderr}`);
  }
}

/** Both ways of giving keys: the conf file alone, and the environment on top of it. */
async function bothWays(args: string[]): Promise<CliRun[]> {
  return [await orbis(args), await orbis(args, withEnvKeys)];
}

/** The process has ended (a zombie waiting for a parent that does not reap counts as ended). */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    const state = existsSync(`/proc/${pid}/status`) ? /State:\s+(\S)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] : undefined;
    if (state === undefined || state === 'Z') return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('no stream key in any output of the CLI', () => {
  it('help and version of every command', async () => {
    const paths = await commandPaths({ cwd: work, env: { ...baseEnv, ...withEnvKeys } });
    expect(paths.map((p) => p.join(' '))).toEqual(expect.arrayContaining(['', 'provision', 'check', 'verify', 'inventory', 'secrets', 'secrets edit', 'rollback', 'lab']));
    for (const path of paths) expectNoKey(await orbis([...path, '--help'], withEnvKeys));
    expectNoKey(await orbis(['--version'], withEnvKeys));
  }, 120_000);

  it('provision, check, verify, apply, import, rollback, status and reconnect against an unreachable 127.0.0.1:1, as text and JSON', async () => {
    const commands = [
      ['provision', TARGET, '--check', ...conn],
      ['provision', TARGET, ...conn],
      ['check', TARGET, '--diff', ...conn],
      ['verify', TARGET, '--retry-timeout', '0', ...conn],
      ['apply', '-i', 'inventory/env.yaml', '--check', ...conn],
      ['import', TARGET, '--out', 'imported', ...conn],
      ['import', TARGET, '--remove-old', ...conn],
      ['apply', '-i', 'inventory/env.yaml', '--rollback-on-fail', ...conn],
      ['rollback', TARGET, ...conn],
      ['rollback', '-i', 'inventory/env.yaml', '--list', ...conn],
      ['status', TARGET, ...conn],
      ['status', '-i', 'inventory/env.yaml', ...conn],
      ['reconnect', TARGET, '--platform', 'kick', ...conn],
    ];
    let reports = 0;
    for (const args of commands) {
      for (const run of [...(await bothWays(args)), ...(await bothWays([...args, '--json']))]) {
        expectNoKey(run);
        expect(run.code, `orbis ${run.args.join(' ')}: ${run.stderr}`).toBe(1);
        // A report, or (a configuration error before any host) nothing on stdout.
        if (run.args.includes('--json') && run.stdout !== '') {
          expect((JSON.parse(run.stdout) as { hosts: Array<{ status: string }> }).hosts.map((h) => h.status)).toContain('unreachable');
          reports++;
        }
      }
    }
    expect(reports).toBeGreaterThanOrEqual(8);
  }, 240_000);

  it('facts against the unreachable host, and render --offline (keys masked) into a directory', async () => {
    for (const run of await bothWays(['facts', TARGET, ...conn])) {
      expectNoKey(run);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/orbis facts: pi@127\.0\.0\.1:1: .*refused/);
    }
    // The files it writes are scanned with the others by the last test: masked, they hold no key.
    const renders = [
      await orbis(['render', TARGET, '--offline', '--out', join(root, 'render-conf')]),
      await orbis(['render', TARGET, '--offline', '--out', join(root, 'render-env'), '--json'], withEnvKeys),
      await orbis(['render', '--offline', '-i', 'inventory/env.yaml', '--limit', 'salon', '--out', join(root, 'render-inventory')], withEnvKeys),
    ];
    for (const run of renders) {
      expectNoKey(run);
      expect(run.code, run.stderr).toBe(0);
    }
    expect(readFileSync(join(root, 'render-inventory', 'etc', 'nginx', 'orbis', 'rtmp.conf'), 'utf8')).toContain('playPath=********;');
  }, 120_000);

  it('inventory shows every host with keys masked', async () => {
    for (const args of [['inventory', '-i', 'inventory/env.yaml'], ['inventory', '-i', 'inventory/env.yaml', '--json'], ['inventory', '-i', 'inventory/secret.yaml']]) {
      for (const run of await bothWays(args)) expectNoKey(run);
    }
    const shown = await orbis(['inventory', '-i', 'inventory/env.yaml', '--json'], withEnvKeys);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('********');
  }, 120_000);

  it('secrets: list, decrypt without --reveal, edit, rekey', async () => {
    const listed = await orbis(['secrets', 'list']);
    expect(listed.stdout).toBe('salon_kick\nsalon_dlive\n');
    const editor = join(root, 'bad-editor.sh');
    write(editor, `#!/bin/sh\nprintf 'bad-name: %s\\nempty:\\n' '${KEYS.secretKick}' >> "$1"\n`, 0o755);
    const results = [
      listed,
      await orbis(['secrets', 'list', '--json']),
      await orbis(['secrets', 'decrypt']),
      await orbis(['secrets', 'edit'], { EDITOR: 'true' }),
      await orbis(['secrets', 'edit'], { EDITOR: editor }),
      await orbis(['secrets', 'edit'], { EDITOR: 'false' }),
      await orbis(['secrets', 'rekey']),
      await orbis(['secrets', 'list', '--identity', join(root, 'no-such-identity')]),
    ];
    results.forEach(expectNoKey);
    expect(results.map((r) => r.code)).toEqual([0, 0, 1, 0, 1, 1, 0, 1]);
  }, 120_000);

  it('bad configurations: errors at file:line:col without the key', async () => {
    const confs = readdirSync(join(work, 'conf')).filter((f) => f.startsWith('bad-'));
    for (const conf of confs) {
      for (const args of [['provision', TARGET, '--check', ...conn], ['inventory', '-i', 'inventory/env.yaml'], ['verify', TARGET, ...conn]]) {
        const run = await orbis([...args, '--conf', `conf/${conf}`]);
        expectNoKey(run);
        expect(run.code).toBe(1);
        expect(run.stderr, `orbis ${run.args.join(' ')}`).toMatch(new RegExp(`conf/${conf}:\\d+:\\d+: `));
      }
    }
    const badVars = [`DLIVE_CLE_FLUX:${KEYS.envDlive}`, `DLIVE_CLE_FLUX=${KEYS.envDlive};x`, `KICK_CLE_FLUX=${KEYS.envKick} `];
    for (const v of badVars) expectNoKey(await orbis(['provision', TARGET, '--check', ...conn, '--var', v]));
    expectNoKey(await orbis(['provision', TARGET, '--check', ...conn], { ORBIS_DLIVE_CLE_FLUX: `${KEYS.envDlive} ${KEYS.envKick}` }));
  }, 240_000);

  it('secrets edit stopped by SIGTERM: the clear copy is removed and the editor stopped', async () => {
    const record = join(root, 'editor-pid');
    const editor = join(root, 'slow-editor.sh');
    write(editor, `#!/bin/sh\necho "$$ $1" > '${record}'\nexec sleep 30\n`, 0o755);
    const before = readFileSync(join(work, 'conf', 'secrets.age'), 'utf8');
    const child = spawn(process.execPath, [CLI, 'secrets', 'edit'], { cwd: work, env: { ...baseEnv, EDITOR: editor }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for (let i = 0; i < 200 && !existsSync(record); i++) await new Promise((r) => setTimeout(r, 50));
    const [pid, file] = readFileSync(record, 'utf8').trim().split(' ');
    expect(existsSync(file!)).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(existsSync(join(file!, '..'))).toBe(false);
    expect(await gone(Number(pid))).toBe(true);
    expect(readFileSync(join(work, 'conf', 'secrets.age'), 'utf8')).toBe(before);
  }, 60_000);

  it('no key in any file orbis wrote, and no clear copy left in /dev/shm', () => {
    expect(runs.length).toBeGreaterThan(50);
    const leaks: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.isFile() && inputs.get(path) !== readFileSync(path, 'utf8')) {
          const text = readFileSync(path, 'latin1');
          if (NEEDLES.some((n) => text.includes(n))) leaks.push(path);
        }
      }
    };
    walk(root);
    expect(leaks).toEqual([]);
    // Files orbis wrote exist (the identity, the secrets file), so the walk saw something.
    expect(statSync(join(root, 'home', '.config', 'orbis', 'identity.txt')).mode & 0o777).toBe(0o600);
    if (existsSync('/dev/shm')) expect(readdirSync('/dev/shm').filter((e) => e.startsWith('orbis-secrets-') && !shmBefore.has(e))).toEqual([]);
  });
});
