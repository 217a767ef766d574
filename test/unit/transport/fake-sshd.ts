// A scripted SSH server for unit tests: ssh2's Server on 127.0.0.1, behind our own TCP listener
// so a test can swap host keys behind the same host:port (a "reinstalled Pi") and reset sockets
// (a cut link). By default it runs each exec request for real with `sh -c`, as sshd would, so
// the `timeout ... bash -c` wrapping is exercised; `onExec` can script anything else.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { Connection, ServerChannel } from 'ssh2';

export interface KeyFiles {
  /** Private key path (OpenSSH format, no passphrase). */
  path: string;
  /** `type base64 comment` as in a .pub file. */
  pub: string;
  /** The public key blob (known_hosts base64 field, decoded). */
  blob: Buffer;
}

/** Make a key pair with ssh-keygen in `dir` (real OpenSSH keys, as a Pi would have). */
export function makeKey(dir: string, name: string, type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519'): KeyFiles {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', name, '-f', path]);
  const pub = readFileSync(`${path}.pub`, 'utf8').trim();
  return { path, pub, blob: Buffer.from(pub.split(' ')[1] ?? '', 'base64') };
}

export function tempDir(prefix = 'orbis-transport-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface ExecContext {
  command: string;
  channel: ServerChannel;
  /** The raw TCP socket of this client, to reset it. */
  socket: Socket;
}

export interface FakeSshdOptions {
  hostKeys: KeyFiles[];
  /** Public keys allowed to log in (any user in `users`). */
  authorizedKeys: KeyFiles[];
  users?: string[];
  /** Refuse a session channel beyond this many open at once (sshd MaxSessions); default 10. */
  maxSessions?: number;
  /** Return true when the command was handled; otherwise it runs with `sh -c`. */
  onExec?: (ctx: ExecContext) => boolean;
  /** Extra environment for commands run for real (e.g. PATH with a fake sudo first). */
  env?: NodeJS.ProcessEnv;
  /** Login passwords by user: password logins accepted (sshd's PasswordAuthentication yes). */
  passwords?: Record<string, string>;
  /** Take passwords through keyboard-interactive only (sshd with PAM, PasswordAuthentication no). */
  keyboardInteractiveOnly?: boolean;
}

export interface FakeSshd {
  port: number;
  /** Every exec request received, as sent by the client. */
  commands: string[];
  /** Users that logged in. */
  logins: string[];
  /** Every password received (password or keyboard-interactive), to count attempts. */
  passwordsTried: string[];
  openSessions: number;
  maxOpenSessions: number;
  refusedSessions: number;
  connections: number;
  /** Connections open now. */
  readonly openConnections: number;
  /** Serve new connections with other host keys, on the same port. */
  setHostKeys(keys: KeyFiles[]): void;
  close(): Promise<void>;
}

export async function startFakeSshd(options: FakeSshdOptions): Promise<FakeSshd> {
  const users = options.users ?? ['pi', 'root'];
  const allowed = options.authorizedKeys.map((k) => {
    const parsed = ssh2.utils.parseKey(k.pub);
    if (parsed instanceof Error) throw parsed;
    return parsed;
  });
  const sockets = new Set<Socket>();
  const state: FakeSshd = {
    port: 0,
    commands: [],
    logins: [],
    passwordsTried: [],
    openSessions: 0,
    maxOpenSessions: 0,
    refusedSessions: 0,
    connections: 0,
    get openConnections() {
      return sockets.size;
    },
    setHostKeys(keys) {
      sshServer = makeServer(keys);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };

  const onClient = (client: Connection, socket: Socket): void => {
    client.on('error', () => undefined);
    const passwords = options.passwords ?? {};
    const methods = [
      'publickey',
      ...(Object.keys(passwords).length === 0 ? [] : options.keyboardInteractiveOnly ? ['keyboard-interactive'] : ['password']),
    ] as Array<'publickey' | 'password' | 'keyboard-interactive'>;
    client.on('authentication', (ctx) => {
      const expected = passwords[ctx.username];
      if (ctx.method === 'password' && methods.includes('password')) {
        state.passwordsTried.push(ctx.password);
        if (expected !== undefined && ctx.password === expected) {
          state.logins.push(ctx.username);
          return ctx.accept();
        }
        return ctx.reject(methods);
      }
      if (ctx.method === 'keyboard-interactive' && methods.includes('keyboard-interactive')) {
        ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
          state.passwordsTried.push(answers[0] ?? '');
          if (expected !== undefined && answers[0] === expected) {
            state.logins.push(ctx.username);
            ctx.accept();
          } else {
            ctx.reject(methods);
          }
        });
        return;
      }
      if (ctx.method !== 'publickey' || !users.includes(ctx.username)) return ctx.reject(methods);
      const key = allowed.find((k) => k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data));
      if (!key) return ctx.reject(methods);
      if (!ctx.signature || !ctx.blob) return ctx.accept(); // the "would this key do?" query
      if (key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(methods);
      state.logins.push(ctx.username);
      ctx.accept();
    });
    client.on('ready', () => {
      // direct-tcpip, for ProxyJump through this server
      client.on('tcpip', (accept, reject, info) => {
        const upstream = connectTcp(info.destPort, info.destIP);
        upstream.once('error', () => reject());
        upstream.once('connect', () => {
          const channel = accept();
          channel.on('error', () => undefined);
          upstream.removeAllListeners('error');
          upstream.on('error', () => channel.destroy());
          channel.pipe(upstream).pipe(channel);
          channel.on('close', () => upstream.destroy());
        });
      });
      client.on('session', (accept, reject) => {
        if (state.openSessions >= (options.maxSessions ?? 10)) {
          state.refusedSessions++;
          reject();
          return;
        }
        const session = accept();
        state.openSessions++;
        state.maxOpenSessions = Math.max(state.maxOpenSessions, state.openSessions);
        let counted = true;
        const done = (): void => {
          if (counted) state.openSessions--;
          counted = false;
        };
        session.on('close', done);
        session.on('exec', (acceptExec, _rejectExec, info) => {
          const channel = acceptExec();
          // Like sshd, which frees a session as soon as it handles the close; ssh2 emits 'close'
          // a tick later, when the client's next CHANNEL_OPEN may already be parsed.
          channel.on('finish', done);
          channel.on('close', done);
          state.commands.push(info.command);
          if (options.onExec?.({ command: info.command, channel, socket })) return;
          runForReal(info.command, channel, options.env);
        });
      });
    });
  };

  const makeServer = (keys: KeyFiles[]): InstanceType<typeof ssh2.Server> =>
    new ssh2.Server({ hostKeys: keys.map((k) => readFileSync(k.path)) }, () => undefined);
  let sshServer = makeServer(options.hostKeys);

  const tcp: NetServer = createServer((socket) => {
    sockets.add(socket);
    state.connections++;
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const server = sshServer;
    const handler = (client: Connection): void => {
      server.removeListener('connection', handler);
      onClient(client, socket);
    };
    server.on('connection', handler);
    server.injectSocket(socket);
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const address = tcp.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  state.port = address.port;
  return state;
}

function runForReal(command: string, channel: ServerChannel, env: NodeJS.ProcessEnv | undefined): void {
  const child = spawn('sh', ['-c', command], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  channel.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  child.on('close', (code, signal) => {
    if (signal) channel.exit(signal.replace(/^SIG/, ''), false, '');
    else channel.exit(code ?? 0);
    channel.end();
  });
  channel.on('close', () => child.kill('SIGKILL'));
}

/**
 * A stand-in `sudo` for commands run for real: honours `-n`, `-S -p '' -k` and `--`, checks the
 * first stdin line against $FAKE_SUDO_PASSWORD (none set = NOPASSWD) and logs what it read.
 */
export function installFakeSudo(dir: string): { binDir: string; log: string } {
  const binDir = join(dir, 'bin');
  const log = join(dir, 'sudo.log');
  execFileSync('mkdir', ['-p', binDir]);
  writeFileSync(log, '');
  const script = `#!/bin/bash
mode=noninteractive
while [ $# -gt 0 ]; do
  case "$1" in
    -n) shift ;;
    -S) mode=stdin; shift ;;
    -p) shift 2 ;;
    -k) shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done
echo "argv:$*" >> "$FAKE_SUDO_LOG"
if [ -n "\${FAKE_SUDO_PASSWORD:-}" ]; then
  if [ "$mode" = noninteractive ]; then echo "sudo: a password is required" >&2; exit 1; fi
  IFS= read -r line
  echo "stdin-password:$line" >> "$FAKE_SUDO_LOG"
  if [ "$line" != "$FAKE_SUDO_PASSWORD" ]; then
    echo "Sorry, try again." >&2
    echo "sudo: 1 incorrect password attempt" >&2
    exit 1
  fi
fi
exec "$@"
`;
  writeFileSync(join(binDir, 'sudo'), script);
  chmodSync(join(binDir, 'sudo'), 0o755);
  return { binDir, log };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
