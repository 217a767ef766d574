// `orbis init` as a user runs it: the compiled CLI in a scratch git repository, without a
// terminal (flags, environment, stdin) and on a pseudo-terminal (util-linux `script`) answering
// the questions as they come. Keys are read from the environment, stdin or the keyboard, never
// argv, and never appear in what orbis prints. --no-pin here: pinning BTFS is pin.test.ts's (it
// downloads, from a loopback server there).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/redact/secret.js';
import { loadInventory, resolveHosts } from '../../../src/inventory/index.js';
import { openSecrets, secretStoreFor } from '../../../src/secrets/index.js';
import { shq } from '../../../src/util/shell.js';
import { CLI, ensureBuilt, runCli } from '../safety/cli.js';

const DLIVE = 'dliveInitKey7f3a9c';
const KICK = 'sk_us-west-2_kickInitKey51d0';
const haveScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

function repo(): { dir: string; env: Record<string, string> } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'orbis-init-cli-')));
  execFileSync('git', ['init', '-q', dir]);
  mkdirSync(join(dir, 'home'));
  return { dir, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(dir, 'home'), LANG: 'C.UTF-8' } };
}

function withStdin(args: string[], cwd: string, env: Record<string, string>, input: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ stdout, stderr, code }));
    child.stdin.end(input);
  });
}

const mode = (path: string) => statSync(path).mode & 0o777;

beforeAll(() => ensureBuilt(), 300_000);

describe('orbis init without a terminal', () => {
  it('keys from environment variables named by flags: conf 0600 with them, inventory, .gitignore, next steps', async () => {
    const { dir, env } = repo();
    const run = await runCli(['init', '--no-pin', '--platforms', 'toutes', '--host', 'pi@10.0.0.12', '--name', 'salon', '--dlive-key-env', 'MY_DLIVE', '--kick-key-env', 'MY_KICK'], {
      cwd: dir,
      env: { ...env, MY_DLIVE: DLIVE, MY_KICK: KICK },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('wrote conf/orbis.conf (mode 0600): PLATEFORMES="toutes"; the DLive and Kick keys in it');
    expect(run.stdout).toContain('wrote inventory/salon.yaml: host salon at pi@10.0.0.12');
    expect(run.stdout).toContain('added conf/orbis.conf to .gitignore');
    expect(run.stdout).toMatch(/\n {2}node \S+main\.js provision pi@10\.0\.0\.12 --check {4}#/);
    expect(`${run.stdout}${run.stderr}`).not.toContain(DLIVE);
    expect(`${run.stdout}${run.stderr}`).not.toContain(KICK);
    expect(mode(join(dir, 'conf', 'orbis.conf'))).toBe(0o600);
    const conf = readFileSync(join(dir, 'conf', 'orbis.conf'), 'utf8');
    expect(conf).toContain(`DLIVE_CLE_FLUX="${DLIVE}"`);
    expect(conf).toContain(`KICK_CLE_FLUX="${KICK}"`);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('conf/orbis.conf\n');
    expect(execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir, encoding: 'utf8' })).not.toContain('orbis.conf');

    // What init wrote is what orbis reads: the inventory shows the host and the keys, masked.
    const shown = await runCli(['inventory', '-i', 'inventory/salon.yaml', '--host', 'salon'], { cwd: dir, env });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/salon +10\.0\.0\.12 +pi/);
    expect(shown.stdout).toMatch(/DLIVE_CLE_FLUX +\*+ +conf\/orbis\.conf:\d+:\d+/);
    expect(shown.stdout).not.toContain(DLIVE);

    // Never over an existing file without --force; nothing is changed then.
    const before = readFileSync(join(dir, 'conf', 'orbis.conf'), 'utf8');
    const again = await runCli(['init', '--platforms', 'dlive'], { cwd: dir, env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^orbis init: conf\/orbis\.conf: already exists .*\(hint: add --force to replace it/);
    expect(readFileSync(join(dir, 'conf', 'orbis.conf'), 'utf8')).toBe(before);
    const forced = await runCli(['init', '--no-pin', '--platforms', 'dlive', '--host', 'pi@10.0.0.12', '--name', 'salon', '--force'], { cwd: dir, env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('no DLive key yet: set DLIVE_CLE_FLUX in conf/orbis.conf');
    expect(readFileSync(join(dir, 'conf', 'orbis.conf'), 'utf8')).not.toContain(DLIVE);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('conf/orbis.conf\n');
  });

  it('--keys-stdin into the encrypted secrets file: the inventory refers to them, the conf holds none', async () => {
    const { dir, env } = repo();
    const run = await withStdin(['init', '--no-pin', '--keys-stdin', '--store', 'secrets', '--host', 'pi@salon.local'], dir, env, `DLIVE_CLE_FLUX=${DLIVE}\nKICK_CLE_FLUX='${KICK}'\n`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('stored salon_dlive, salon_kick in conf/secrets.age (encrypted)');
    expect(run.stdout).toMatch(/node \S+main\.js apply -i inventory\/salon\.yaml --check/);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(new RegExp(`${DLIVE}|${KICK}`));
    for (const file of ['conf/orbis.conf', 'inventory/salon.yaml', 'conf/secrets.age']) expect(readFileSync(join(dir, file), 'utf8')).not.toMatch(new RegExp(`${DLIVE}|${KICK}`));
    expect(readFileSync(join(dir, 'inventory', 'salon.yaml'), 'utf8')).toContain('DLIVE_CLE_FLUX: { secret: salon_dlive }');
    const list = await runCli(['secrets', 'list'], { cwd: dir, env });
    expect(list.stdout).toBe('salon_dlive\nsalon_kick\n');
    // The inventory resolves through the secrets file init wrote, to the keys given.
    const inventory = loadInventory([join(dir, 'inventory', 'salon.yaml')]);
    const file = openSecrets({ file: join(dir, 'conf', 'secrets.age'), env });
    const store = await secretStoreFor(['salon_dlive', 'salon_kick'], file);
    const [host] = resolveHosts(inventory, ['salon'], { env: {}, unresolved: 'error', ...(store ? { secrets: store } : {}) });
    const keys = Object.fromEntries((host?.layers ?? []).flatMap((l) => Object.entries(l.values)).map(([k, v]) => [k, v instanceof Secret ? v.reveal() : v]));
    expect(keys).toEqual({ DLIVE_CLE_FLUX: DLIVE, KICK_CLE_FLUX: KICK });
  });

  it('--store env writes references only; refusals leave nothing behind', async () => {
    const { dir, env } = repo();
    const refused = await runCli(['init', '--store', 'env'], { cwd: dir, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--store env: names no variable .*hint: add --dlive-key-env NAME/);
    const badKey = await runCli(['init', '--dlive-key-env', 'D'], { cwd: dir, env: { ...env, D: 'has a space' } });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/environment D: DLIVE_CLE_FLUX: character 4 of the key is whitespace/);
    expect(badKey.stderr).not.toContain('has a space');
    expect(existsSync(join(dir, 'conf'))).toBe(false);
    expect(existsSync(join(dir, 'inventory'))).toBe(false);

    const run = await runCli(['init', '--no-pin', '--platforms', 'kick', '--store', 'env', '--kick-key-env', 'SALON_KICK', '--host', 'salon', '--no-input'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(dir, 'inventory', 'salon.yaml'), 'utf8')).toContain('KICK_CLE_FLUX: { env: SALON_KICK }');
    expect(run.stdout).toContain('read -rs SALON_KICK && export SALON_KICK');
  });
});

describe.skipIf(!haveScript)('orbis init on a terminal (a pseudo-terminal from util-linux script)', () => {
  it('asks each question, hides the keys as they are typed, and writes the answers', async () => {
    const { dir, env } = repo();
    // Each answer is typed once its question is on the screen, as a person would.
    const script: Array<[string, string]> = [
      ['Stream to which platforms?', 'toutes'],
      ['DLive stream key', 'not/a/key'],
      ['DLive stream key', DLIVE],
      ['Kick stream key', KICK],
      ['Choice [1]', '1'],
      ['Your Pi, as [user@]host[:port]', 'pi@atelier.local:2222'],
      ['Its name in the inventory [atelier]', ''],
    ];
    const command = `cd ${shq(dir)} && ${shq(process.execPath)} ${shq(CLI)} init --no-pin`;
    const screen = await new Promise<{ out: string; code: number | null }>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { env });
      let out = '';
      let step = 0;
      let from = 0;
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        while (step < script.length) {
          const at = out.indexOf(script[step]![0], from);
          if (at < 0) break;
          from = at + script[step]![0].length;
          child.stdin.write(`${script[step]![1]}\r`);
          step++;
        }
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ out, code });
      });
    });
    expect(screen.code, screen.out).toBe(0);
    expect(screen.out).toContain('character 4 of the key is a slash');
    // Not echoed while typed, nor anywhere after.
    expect(screen.out).not.toContain(DLIVE);
    expect(screen.out).not.toContain(KICK);
    expect(screen.out).not.toContain('not/a/key');
    expect(screen.out).toContain('wrote inventory/atelier.yaml: host atelier at pi@atelier.local:2222');
    const conf = readFileSync(join(dir, 'conf', 'orbis.conf'), 'utf8');
    expect(conf).toContain(`DLIVE_CLE_FLUX="${DLIVE}"`);
    expect(conf).toContain(`KICK_CLE_FLUX="${KICK}"`);
    expect(conf).toContain('PLATEFORMES="toutes"');
    expect(readFileSync(join(dir, 'inventory', 'atelier.yaml'), 'utf8')).toMatch(/address: atelier\.local\n {4}user: pi\n {4}port: 2222\n/);
  });
});
