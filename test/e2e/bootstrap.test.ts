// A fresh Pi (issue "Fresh Pi bootstrap"): a lab host where pi has a password and no key of ours,
// and sshd takes passwords, as the imager leaves a Raspberry Pi. `orbis provision pi@HOST
// --ask-pass` (the password on stdin) must end with our key in, password and root logins off,
// and the stack provisioned and verified, the password nowhere; a hardening that would lock orbis
// out must be undone by the Pi itself; and a second run must change nothing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshArgs, type LabHost, type LabState } from '../../src/lab/index.js';
import { packageRoot } from '../../src/util/paths.js';
import { freshHost, getLab, onHost, releaseHost, waitFor } from './helpers/lab.js';
import { newKeys, stackDiagnostics, stackEnv } from './helpers/stack.js';

const CLI = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
const FIXTURES = join(packageRoot(), 'test', 'fixtures');
/** Short, so that the rollback test waits little; long enough for a loaded machine to confirm. */
const DEADLINE_SEC = 20;

interface Access {
  login: 'key' | 'password';
  key?: { fingerprint: string; added: boolean; source: string };
  guard?: { outcome: string; roles: string[]; deadlineSec: number; afterSec?: number; message: string };
}

interface HostJson {
  name: string;
  status: string;
  changes: Array<{ role: string; type: string; name: string; summary: string; status: string }>;
  verify: Array<{ name: string; status: string; value?: string; hint?: string }>;
  error?: { message: string; role?: string; resource?: string; hint?: string };
  access?: Access;
  roundTrips: number;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  host?: HostJson;
  /** Every `ps` line seen on the controller while orbis ran, and orbis's own environment. */
  processes: string[];
  environ: string;
  ms: number;
}

/**
 * `orbis ARGS` as a user would run it, `stdin` piped in (the password, without a terminal), while
 * the controller's process list is sampled: what `ps` would show anyone on the machine.
 */
function orbis(args: string[], stdin: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const processes: string[] = [];
    let environ = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.end(stdin);
    const sample = (): void => {
      try {
        environ ||= readFileSync(`/proc/${child.pid}/environ`, 'latin1');
      } catch {
        // gone already
      }
      const ps = spawn('ps', ['-eww', '-o', 'pid=,args=']);
      const lines: Buffer[] = [];
      ps.stdout.on('data', (c: Buffer) => lines.push(c));
      ps.on('close', () => processes.push(...Buffer.concat(lines).toString().split('\n')));
    };
    sample();
    const sampler = setInterval(sample, 200);
    const killer = setTimeout(() => child.kill('SIGKILL'), 900_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(killer);
      const stdout = Buffer.concat(out).toString();
      const run: Run = { code, stdout, stderr: Buffer.concat(err).toString(), processes, environ, ms: Date.now() - started };
      if (args.includes('--json') && stdout.trim().startsWith('{')) run.host = (JSON.parse(stdout) as { hosts: HostJson[] }).hosts[0];
      resolve(run);
    });
  });
}

/** Whether sshd lets `user` in with `password` (password or keyboard-interactive), tried from here with ssh2. */
function passwordLogin(address: string, user: string, password: string): Promise<'accepted' | 'refused'> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    const timer = setTimeout(() => {
      client.end();
      reject(new Error(`no answer from ${address} within 20 s`));
    }, 20_000);
    const done = (verdict: 'accepted' | 'refused'): void => {
      clearTimeout(timer);
      client.end();
      resolve(verdict);
    };
    client.on('ready', () => done('accepted'));
    client.on('error', (error: Error & { level?: string }) => {
      if (error.level === 'client-authentication') done('refused');
      else {
        clearTimeout(timer);
        reject(error);
      }
    });
    client.on('keyboard-interactive', (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)));
    client.connect({ host: address, port: 22, username: user, password, tryKeyboard: true, readyTimeout: 15_000 });
  });
}

/**
 * A command as root over the lab's own way in. A lab container's user manager (user@0) can take
 * its full 90 s stop timeout when its last session ends (it cannot kill its cgroup under nspawn),
 * and a login meanwhile waits for it: ssh then gives up (255). Try again past that.
 */
async function asRoot(host: LabHost, command: string): Promise<string> {
  const result = await waitFor(`root on ${host.name} for \`${command}\``, async () => {
    const r = await onHost(host, command, { user: 'root', timeoutMs: 150_000 });
    return r.code === 255 ? undefined : r;
  }, 200_000, 2000);
  if (result.code !== 0) throw new Error(`on ${host.name}: \`${command}\` exited ${String(result.code)}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** `ssh -i KEY pi@HOST COMMAND` with OpenSSH, the key alone, checking the host key orbis recorded. */
function keyLogin(host: LabHost, key: string, knownHosts: string, command: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn('ssh', ['-i', key, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', `pi@${host.address}`, command]);
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString() }));
  });
}

/** Every file under `dir` whose content holds `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const stat = statSync(path);
    if (stat.isDirectory()) found.push(...filesHolding(path, needle));
    else if (stat.isFile() && readFileSync(path).includes(needle)) found.push(path);
  }
  return found;
}

let lab: LabState;
const keys = newKeys('boot');

describe('a fresh Pi, reached by password only', () => {
  let pi: LabHost;
  let password: string;
  const work = mkdtempSync(join(tmpdir(), 'orbis-bootstrap-e2e-'));
  const home = join(work, 'home');
  const keyPath = join(work, 'orbis_ed25519');
  const knownHosts = join(work, 'known_hosts');
  const runs: Run[] = [];
  let env: Record<string, string>;
  const connection = ['--key', keyPath, '--known-hosts', knownHosts, '--ssh-config', '/dev/null'];
  // A small stream, and a lower bar for the verify step's FFmpeg test: this machine's two cores
  // run several labs at once (`npm run bench` measures speed, not this test).
  const stream = ['--var', 'LARGEUR_MAX=640', '--var', 'HAUTEUR_MAX=360', '--var', `SSH_DELAI_CONFIRMATION=${DEADLINE_SEC}`, '--min-speed', '0.5'];
  const run = async (args: string[], stdin = ''): Promise<Run> => {
    const result = await orbis(['provision', `pi@${pi.address}`, ...connection, ...stream, ...args], stdin, env);
    runs.push(result);
    return result;
  };

  beforeAll(async () => {
    lab = await getLab();
    pi = await freshHost({ password: true });
    password = (await readFile(pi.passwordFile ?? '', 'utf8')).trim();
    // HOME is the test's own: whatever orbis writes on the controller lands where the test looks.
    env = { ...stackEnv(lab, keys), HOME: home, ORBIS_NOM_HOTE: 'salon' };
  });
  afterAll(async () => {
    await releaseHost(pi);
  });

  it('is what the imager leaves: a password login works, no key of ours does', async () => {
    expect(await passwordLogin(pi.address, 'pi', password)).toBe('accepted');
    expect(await passwordLogin(pi.address, 'pi', `${password}-wrong`)).toBe('refused');
    const byKey = await orbis(['provision', `pi@${pi.address}`, '--key', pi.keyPath, '--known-hosts', knownHosts, '--ssh-config', '/dev/null', '--check', '--json'], '', env);
    expect(byKey.code).toBe(1);
    expect(byKey.host?.status).toBe('auth-failed'); // the Pi answered and refused the key
    expect(byKey.host?.error?.hint).toContain('--ask-pass');
  });

  it('--check --ask-pass shows the key and the hardening to come, and changes nothing', async () => {
    const result = await run(['--check', '--ask-pass', '--new-key'], `${password}\n`);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toMatch(/bootstrap \/ ssh-key ~\/\.ssh\/authorized_keys: add the ssh-ed25519 key SHA256:\S+ \(.*orbis_ed25519\); logged in by password/);
    expect(result.stdout).toContain('ssh / file /etc/ssh/sshd_config.d/01-orbis-hardening.conf: create');
    expect(result.stdout).toContain('system / file /etc/hostname');
    // The host's root is mounted on the controller: look without logging in.
    expect(existsSync(join(pi.root, 'home/pi/.ssh'))).toBe(false);
    expect(readdirSync(join(pi.root, 'etc/ssh/sshd_config.d'))).toEqual(['00-orbis-lab.conf']);
    expect(await passwordLogin(pi.address, 'pi', password)).toBe('accepted');
  });

  it('provision --ask-pass: key in, password and root logins off, the stack provisioned and verified', async () => {
    const result = await run(['--ask-pass', '--new-key', '--json'], `${password}\n`);
    const host = result.host;
    if (!host || result.code !== 0) throw new Error(`exit ${result.code}\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}\n${await stackDiagnostics(pi)}`);
    process.stderr.write(`[bootstrap] first provision: ${(result.ms / 1000).toFixed(1)} s, ${host.roundTrips} round trips, ${host.changes.length} changes, guard: ${host.access?.guard?.message}\n`);
    expect(host.status).toBe('changed');
    expect(host.access).toMatchObject({ login: 'password', key: { added: true, source: keyPath }, guard: { outcome: 'confirmed', roles: ['ssh'], deadlineSec: DEADLINE_SEC } });
    expect(host.access?.guard?.afterSec).toBeLessThan(DEADLINE_SEC);
    expect(host.changes[0]).toMatchObject({ role: 'bootstrap', type: 'ssh-key', name: '/home/pi/.ssh/authorized_keys', status: 'applied' });
    expect(host.changes.filter((c) => c.status !== 'applied')).toEqual([]);
    // The stack, verified: every check the roles list ran, none failed.
    expect(host.verify.length).toBeGreaterThan(5);
    expect(host.verify.filter((v) => v.status === 'fail')).toEqual([]);

    // Our key logs in (the lab's key is not pi's: this is the key orbis made and installed).
    const fingerprint = (await asRoot(pi, 'ssh-keygen -lf /home/pi/.ssh/authorized_keys')).split(' ')[1];
    expect(fingerprint).toBe(host.access?.key?.fingerprint);
    expect(await asRoot(pi, 'stat -c "%a %U" /home/pi/.ssh /home/pi/.ssh/authorized_keys')).toBe('700 pi\n600 pi\n');
    // A password login is refused now, even the right one; so is root, wherever it comes from.
    expect(await passwordLogin(pi.address, 'pi', password)).toBe('refused');
    const effective = await asRoot(pi, 'sshd -T -C user=root,host=elsewhere,addr=192.0.2.7 | grep -E "^(permitrootlogin|passwordauthentication|kbdinteractiveauthentication) "');
    expect(effective.split('\n').filter(Boolean).sort()).toEqual(['kbdinteractiveauthentication no', 'passwordauthentication no', 'permitrootlogin no']);
    // Host basics from the settings (NOM_HOTE came from the environment, as from an inventory).
    expect(await asRoot(pi, 'hostname; grep -E "^127\\.0\\.1\\.1" /etc/hosts; systemctl show nginx -p Environment')).toBe('salon\n127.0.1.1\tsalon\nEnvironment=LANG=C.UTF-8\n');
  });

  it('logs in with the installed key alone from then on', async () => {
    expect(await keyLogin(pi, keyPath, knownHosts, 'id -un')).toEqual({ code: 0, stdout: 'pi\n' });
  });

  it('a second run changes nothing, with or without --ask-pass', async () => {
    const again = await run(['--ask-pass', '--json', '--no-verify'], `${password}\n`);
    expect(again.code, again.stderr).toBe(0);
    expect(again.host?.status).toBe('ok');
    expect(again.host?.changes).toEqual([]);
    expect(again.host?.access).toEqual({ login: 'key' });
    const plain = await run(['--json', '--no-verify']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.host?.changes).toEqual([]);
    expect(plain.host?.roundTrips).toBe(1);
  });

  it('the password was in no output, no process list or environment, no file here or on the Pi', async () => {
    expect(runs.length).toBeGreaterThanOrEqual(4);
    for (const r of runs) {
      expect(r.stdout).not.toContain(password);
      expect(r.stderr).not.toContain(password);
      expect(r.environ).not.toContain(password);
      expect(r.environ.length).toBeGreaterThan(0); // the environment was really read
      expect(r.processes.filter((line) => line.includes(password))).toEqual([]);
      expect(r.processes.some((line) => line.includes(CLI))).toBe(true); // orbis was really sampled
    }
    expect(filesHolding(work, password)).toEqual([]);
    expect(await onHostHolding(pi, password)).toBe('journal lines: 0\n');
  });
});

/**
 * Files on the host that hold `needle` where orbis, sshd or sudo could have left it, then how many
 * journal lines do. The needle travels on ssh's stdin: in no command line, here or there.
 */
async function onHostHolding(host: LabHost, needle: string): Promise<string> {
  const script = 'IFS= read -r p; grep -rlF -- "$p" /etc /home /root /tmp /var/tmp /var/lib/orbis /var/log /run 2>/dev/null; printf "journal lines: %s\\n" "$(journalctl --no-pager -q 2>/dev/null | grep -cF -- "$p")"';
  const once = (): Promise<{ code: number | null; stdout: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn('ssh', [...sshArgs(host, 'root'), script]);
      const out: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString() }));
      child.stdin.end(`${needle}\n`);
    });
  // 255: ssh gave up, e.g. waiting for root's user manager (see asRoot).
  const result = await waitFor('a root login to search the host', async () => {
    const r = await once();
    return r.code === 255 ? undefined : r;
  }, 200_000, 2000);
  return result.stdout;
}

describe('a hardening that would lock orbis out', () => {
  let pi: LabHost;
  let password: string;
  const work = mkdtempSync(join(tmpdir(), 'orbis-lockout-e2e-'));
  const keyPath = join(work, 'orbis_ed25519');
  const knownHosts = join(work, 'known_hosts');

  beforeAll(async () => {
    lab ??= await getLab();
    // sudo asks for the password too, as on a plain Debian: --ask-become-pass.
    pi = await freshHost({ password: true, sudoAsksPassword: true });
    password = (await readFile(pi.passwordFile ?? '', 'utf8')).trim();
  });
  afterAll(async () => {
    await releaseHost(pi);
  });

  it('is undone by the Pi itself at the deadline; the key still logs in and the report says what happened', async () => {
    const result = await orbis(
      [
        'provision', `pi@${pi.address}`, '--key', keyPath, '--known-hosts', knownHosts, '--ssh-config', '/dev/null',
        '--ask-pass', '--ask-become-pass', '--new-key', '--roles', 'ssh-lockout', '--json',
        '--var', `SSH_DELAI_CONFIRMATION=${DEADLINE_SEC}`,
      ],
      // The sudo password: an empty line, i.e. the same as the SSH password.
      `${password}\n\n`,
      { HOME: join(work, 'home'), ORBIS_ROLES_PATH: FIXTURES },
    );
    const host = result.host;
    if (!host) throw new Error(`exit ${result.code}\n${result.stdout}\n${result.stderr}`);
    process.stderr.write(`[bootstrap] lockout run: ${(result.ms / 1000).toFixed(1)} s: ${host.error?.message}\n`);
    expect(result.code).toBe(1);
    expect(host.status).toBe('failed');
    expect(host.access?.login).toBe('password');
    expect(host.access?.key?.added).toBe(true);
    expect(host.access?.guard).toMatchObject({ outcome: 'rolled-back', roles: ['ssh', 'ssh-lockout'], deadlineSec: DEADLINE_SEC });
    // Restored by the host at its deadline (its own clock; generous margins for a loaded machine).
    expect(host.access?.guard?.afterSec).toBeGreaterThanOrEqual(DEADLINE_SEC - 1);
    expect(host.access?.guard?.afterSec).toBeLessThanOrEqual(DEADLINE_SEC + 5);
    expect(host.error).toMatchObject({ resource: 'access guard', message: expect.stringContaining('the host restored its previous configuration by itself') });
    expect(host.error?.message).toContain('authentication failed');
    // Nothing of the stack was applied after the failed change.
    expect(host.changes.map((c) => `${c.role} ${c.name}`).sort()).toEqual([
      'bootstrap /home/pi/.ssh/authorized_keys',
      'ssh /etc/ssh/sshd_config.d/01-orbis-hardening.conf',
      'ssh-lockout /etc/ssh/sshd_config.d/00-lockout.conf',
    ]);
    for (const text of [result.stdout, result.stderr, result.environ, ...result.processes]) expect(text).not.toContain(password);

    // The Pi is as before the change: the key (installed before it) still logs in, both drop-ins
    // are gone, and the password login the change would have removed works again. sshd has just
    // been reloaded by the rollback: a login racing its re-exec may be dropped, hence the retries.
    const back = await waitFor('a login with the key after the rollback', async () => {
      const login = await keyLogin(pi, keyPath, knownHosts, 'ls /etc/ssh/sshd_config.d/');
      return login.code === 0 ? login.stdout : undefined;
    }, 30_000, 1000);
    expect(back).toBe('00-orbis-lab.conf\n');
    expect(await passwordLogin(pi.address, 'pi', password)).toBe('accepted');
    // pi is in the adm group (as on Raspberry Pi OS): it reads the system journal.
    expect((await keyLogin(pi, keyPath, knownHosts, 'journalctl -t orbis --no-pager -q')).stdout).toContain('the previous configuration was restored');
  });
});
