// Conformance of the lab's go-btfs stand-in (src/lab/assets/btfs/btfs.py) with go-btfs's source,
// in everything orbis touches: init and simple mode, the config it writes, `btfs config`, the
// daemon's output and readiness (sd_notify), the funding wait outside simple mode, the chain id,
// 401s, ranges on the gateway. The program runs directly with the controller's python3: no lab.
//
// With ORBIS_BTFS_REAL=/path/to/btfs the same tests run against a real go-btfs binary instead
// (longer waits: its funding message comes every 20 s). Lab-only behaviour (content fetched from
// the lab's ingest) is skipped then.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BTFS_STANDIN_VERSION,
  downloadPath,
  releaseFileName,
  releaseYaml,
} from '../../../src/lab/btfs-standin/releases.js';

const PROGRAM = join(__dirname, '../../../src/lab/assets/btfs/btfs.py');
const REAL = process.env.ORBIS_BTFS_REAL;
const COMMAND: string[] = REAL ? [REAL] : ['python3', PROGRAM];
/** How long to wait for the daemon's readiness / the second funding message. */
const READY_MS = REAL ? 120_000 : 30_000; // no speed check: python3 starts slowly on a busy machine
const FUNDING_PERIOD_S = REAL ? 20 : 0.3;
const CID = 'QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2';
const CONTENT = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));

const dirs: string[] = [];
const children: ChildProcess[] = [];
let contentServer: Server;
let contentUrl = '';

beforeAll(async () => {
  // The lab's ingest stand-in: /btfs/<CID> (the stand-in daemon fetches what it lacks there)
  contentServer = createServer((req, res) => {
    if (req.url === `/btfs/${CID}`) {
      res.writeHead(200, { 'Content-Length': CONTENT.length });
      res.end(CONTENT);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => contentServer.listen(0, '127.0.0.1', resolve));
  const address = contentServer.address();
  contentUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/btfs/`;
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => contentServer.close(() => resolve()));
});

function env(repo: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    BTFS_PATH: repo,
    HOME: repo,
    BTFS_STANDIN_READY_DELAY: '0',
    BTFS_STANDIN_FUNDING_PERIOD: String(FUNDING_PERIOD_S),
    BTFS_STANDIN_CONTENT_URL: contentUrl,
    NOTIFY_SOCKET: '',
    ...extra,
  };
}

/** Runs btfs (asynchronously, so the tests of this file run side by side: python3 takes ~1 s to
 * start on a busy machine). */
function btfs(repo: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [cmd, ...pre] = COMMAND as [string, ...string[]];
  return new Promise((resolve) => {
    execFile(cmd, [...pre, ...args], { env: env(repo), encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function readConfig(repo: string): Record<string, any> {
  return JSON.parse(readFileSync(join(repo, 'config'), 'utf8')) as Record<string, any>;
}

/** True when nothing listens on 127.0.0.1:port (a bind succeeds). */
async function canBind(port: number): Promise<boolean> {
  const server = createNetServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (bound) await new Promise<void>((resolve) => server.close(() => resolve()));
  return bound;
}

/**
 * A port for a daemon to bind, below the kernel's ephemeral range. A port picked by bind(0) lies
 * in that range, where any process's outgoing connection or bind(0) may take it before the daemon
 * binds it (CI failed once so: "bind: Address already in use"). Below the range only an explicit
 * bind takes a port: each vitest worker counts up in a slice of its own, skipping ports in use.
 */
let portsTaken = 0;
async function freePort(): Promise<number> {
  const [low = 32768] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const worker = Number(process.env.VITEST_POOL_ID ?? '1') % 16;
  const base = Math.max(10000, low - 16 * 500) + worker * 500;
  for (;;) {
    const port = base + (portsTaken++ % 500);
    if (await canBind(port)) return port;
  }
}

interface Repo {
  path: string;
  api: number;
  gateway: number;
}

/** `btfs init` in a fresh temp dir, on free loopback ports (set with `btfs config`). */
async function newRepo(initArgs: string[]): Promise<Repo> {
  const path = join(mkdtempSync(join(tmpdir(), 'orbis-btfs-')), 'repo');
  dirs.push(join(path, '..'));
  const init = await btfs(path, ['init', ...initArgs]);
  expect(init.code, init.stderr).toBe(0);
  const [api, gateway, swarm] = [await freePort(), await freePort(), await freePort()];
  // Edit the config file directly (as go-btfs reads it; `btfs config` is tested on its own):
  // one process start less per setting.
  const config = readConfig(path);
  config.Addresses.API = `/ip4/127.0.0.1/tcp/${api}`;
  config.Addresses.Gateway = `/ip4/127.0.0.1/tcp/${gateway}`;
  config.Addresses.Swarm = [`/ip4/127.0.0.1/tcp/${swarm}`];
  config.Addresses.RemoteAPI = null;
  writeFileSync(join(path, 'config'), JSON.stringify(config, null, 2), { mode: 0o600 });
  return { path, api, gateway };
}

class Daemon {
  output = '';
  exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    children.push(child);
    child.stdout?.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    // 'close', not 'exit': a process may exit before its last output is read (a second daemon's
    // "someone else has the lock" was missed once that way).
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  async waitFor(test: (output: string) => boolean, ms = READY_MS): Promise<string> {
    const deadline = Date.now() + ms;
    while (!test(this.output)) {
      if (Date.now() > deadline) throw new Error(`timed out; the daemon printed:\n${this.output}`);
      if (this.child.exitCode !== null) throw new Error(`the daemon exited ${this.child.exitCode}:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.output;
  }
}

function startDaemon(repo: Repo, args: string[] = [], extra: Record<string, string> = {}): Daemon {
  const [cmd, ...pre] = COMMAND as [string, ...string[]];
  return new Daemon(spawn(cmd, [...pre, 'daemon', ...args], { env: env(repo.path, extra), stdio: ['ignore', 'pipe', 'pipe'] }));
}

async function stop(daemon: Daemon): Promise<number | null> {
  daemon.child.kill('SIGTERM');
  const timer = setTimeout(() => daemon.child.kill('SIGKILL'), 10_000);
  const code = await daemon.exited;
  clearTimeout(timer);
  return code;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => { socket.destroy(); resolve(false); });
    socket.on('error', () => resolve(true));
  });
}

function lines(output: string): string[] {
  return output.split('\n').map((l) => l.trimEnd());
}

/** Index of the first line starting with `prefix`, -1 if none. */
function at(output: string, prefix: string): number {
  return lines(output).findIndex((l) => l.startsWith(prefix));
}

// Every test runs side by side: most of the time goes to starting python3 (or btfs).
describe.concurrent('the go-btfs stand-in', () => {
  describe('btfs version (core/commands/version.go)', () => {
    it('prints "btfs version X", --all the four lines the daemon prints too', async () => {
      const repo = mkdtempSync(join(tmpdir(), 'orbis-btfs-'));
      dirs.push(repo);
      const [plain, full] = await Promise.all([btfs(repo, ['version']), btfs(repo, ['version', '--all'])]);
      expect(plain.stdout).toMatch(/^btfs version 4\.\d+\.\d+\n$/);
      if (!REAL) expect(plain.stdout).toBe(`btfs version ${BTFS_STANDIN_VERSION}\n`);
      const all = lines(full.stdout);
      expect(all[0]).toMatch(/^go-btfs version: 4\.\d+\.\d+(-[0-9a-f]+)?$/);
      expect(all[1]).toBe('Repo version: 10');
      expect(all[2]).toMatch(/^System version: (amd64|arm64)\/linux$/);
      expect(all[3]).toMatch(/^Golang version: go1\.\d+/);
    });
  });

  describe('btfs init (cmd/btfs/init.go) and the config it writes (go-btfs-config init.go)', () => {
    it('writes a full node by default and a simple-mode node with --simple-mode or -sm', async () => {
      const [plain, simple, short] = await Promise.all([newRepo([]), newRepo(['--simple-mode']), newRepo(['-sm', '-e'])]);
      expect(readConfig(plain.path).SimpleMode).toBe(false);
      expect(readConfig(simple.path).SimpleMode).toBe(true);
      expect(readConfig(short.path).SimpleMode).toBe(true);
      const show = JSON.parse((await btfs(plain.path, ['config', 'show'])).stdout) as Record<string, any>;
      expect(show.ChainInfo.ChainId).toBe(199);
      expect(show.API.EnableTokenAuth).toBe(true);
      expect(show.Experimental.StorageHostEnabled).toBe(true);
      expect(show.Experimental.Libp2pStreamMounting).toBe(true);
      expect(show.Identity.PeerID).toMatch(/^16Uiu2HA/);
      expect(show.Identity.BttcAddr).toMatch(/^0x[0-9a-fA-F]{40}$/);
      expect(show.Identity.PrivKey).toBeUndefined(); // config show scrubs it
      const file = readConfig(plain.path);
      expect(file.Addresses.API).toBe(`/ip4/127.0.0.1/tcp/${plain.api}`);
      expect(file.Identity.PrivKey).toMatch(/^CAIS/); // secp256k1, base64 of the marshalled key
    });

    it('uses the default addresses, then refuses to initialise twice', async () => {
      const repo = join(mkdtempSync(join(tmpdir(), 'orbis-btfs-')), 'repo');
      dirs.push(join(repo, '..'));
      const first = await btfs(repo, ['init', '-sm']);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`initializing BTFS node at ${repo}\n`);
      expect(first.stdout).toMatch(/peer identity: 16Uiu2HA\w+\n/);
      const [api, again] = await Promise.all([btfs(repo, ['config', 'Addresses.API']), btfs(repo, ['init', '-sm'])]);
      expect(api.stdout).toBe('/ip4/127.0.0.1/tcp/5001\n');
      const { Addresses } = readConfig(repo);
      expect([Addresses.Gateway, Addresses.RemoteAPI]).toEqual(['/ip4/127.0.0.1/tcp/8080', '/ip4/127.0.0.1/tcp/5101']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('Error: btfs configuration file already exists!\nReinitializing would overwrite your keys.');
    });

    it('has no --chain-id option', async () => {
      const repo = join(mkdtempSync(join(tmpdir(), 'orbis-btfs-')), 'repo');
      dirs.push(join(repo, '..'));
      const result = await btfs(repo, ['init', '--chain-id', '1029']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('unknown option "chain-id"');
    });
  });

  describe('btfs config (core/commands/config.go)', () => {
    it('gets and sets strings, --json and --bool values, refuses a wrong type, syncs simple mode', async () => {
      const repo = await newRepo([]);
      const run = (...args: string[]) => btfs(repo.path, ['config', ...args]);
      // sets print nothing; one after the other: each rewrites the whole config file, so two at
      // once may lose one (it did, one run in several)
      const sets = [
        await run('Datastore.StorageMax', '2GB'),
        await run('--json', 'Datastore.StorageGCWatermark', '80'),
        await run('--bool', 'Experimental.StorageHostEnabled', 'false'),
      ];
      expect(sets.map((r) => [r.code, r.stdout])).toEqual([[0, ''], [0, ''], [0, '']]);
      const file = readConfig(repo.path);
      expect([file.Datastore.StorageMax, file.Datastore.StorageGCWatermark, file.Experimental.StorageHostEnabled]).toEqual(['2GB', 80, false]);
      const [text, number, json, wrong, missing, secret] = await Promise.all([
        run('Datastore.StorageMax'),
        run('Datastore.StorageGCWatermark'),
        run('Gateway.HTTPHeaders'),
        run('SimpleMode', 'true'),
        run('Addresses.Nope'),
        run('Identity.PrivKey'),
      ]);
      expect(text.stdout).toBe('2GB\n');
      expect(number.stdout).toBe('80\n');
      expect(JSON.parse(json.stdout)['Access-Control-Allow-Origin']).toEqual(['*']);
      expect(json.stdout).toContain('\n  "Access-Control-Allow-'); // indented JSON
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/failed to set config value: .*cannot unmarshal string.*\(maybe use --json\?\)/);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('failed to get config value: "Addresses key has no attributes"');
      expect(secret.stderr).toContain('cannot show or change Identity.PrivKey through API');
      const sync = await run('sync-simple-mode', 'true');
      expect(sync.code).toBe(0);
      expect(sync.stdout).toBe('set simple mode = true \n    please restart the node to use it!\n');
      expect(readConfig(repo.path).SimpleMode).toBe(true);
    });

    it("writes Swarm.ResourceMgr empty at init, takes MaxMemory as a string, refuses a number and Limits", async () => {
      // go-btfs-config swarm.go (ResourceMgr's fields are omitempty), types.go (OptionalString),
      // swarmLimits (removed in 4.x): orbis sets MaxMemory (roles/btfs/role.yaml)
      const repo = await newRepo(['-sm']);
      const run = (...args: string[]) => btfs(repo.path, ['config', ...args]);
      expect(readConfig(repo.path).Swarm.ResourceMgr).toEqual({});
      expect(readConfig(repo.path).Swarm.ConnMgr.Type).toBe('basic');
      const set = await run('Swarm.ResourceMgr.MaxMemory', '393216KiB');
      expect([set.code, set.stdout]).toEqual([0, '']);
      expect((await run('Swarm.ResourceMgr.MaxMemory')).stdout).toBe('393216KiB\n');
      const [number, limits] = [await run('--json', 'Swarm.ResourceMgr.MaxMemory', '5'), await run('--json', 'Swarm.ResourceMgr.Limits', '{"System":{}}')];
      expect(number.code).toBe(1);
      expect(number.stderr).toContain('cannot unmarshal number into Go value of type string');
      expect(limits.code).toBe(1);
      expect(limits.stderr).toContain('The Swarm.ResourceMgr.Limits configuration has been removed');
      expect(readConfig(repo.path).Swarm.ResourceMgr).toEqual({ MaxMemory: '393216KiB' });
    });
  });

  describe('btfs daemon in simple mode (cmd/btfs/daemon.go)', () => {
    it('prints its start in order, serves at once, says "Daemon is ready" and notifies systemd', async () => {
      const repo = await newRepo(['-sm']);
      // A datagram socket standing for systemd's $NOTIFY_SOCKET (node has no unix datagrams)
      const socketPath = join(repo.path, '..', 'notify.sock');
      const listener = new Daemon(spawn('python3', ['-u', '-c', [
        'import socket,sys', `s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(${JSON.stringify(socketPath)})`,
        'print("bound", flush=True)', 'while True: print(s.recv(4096).decode(), flush=True)',
      ].join('\n')], { stdio: ['ignore', 'pipe', 'pipe'] }));
      await listener.waitFor((o) => o.includes('bound'), READY_MS);
      // --chain-id means nothing to a simple-mode node: getChainID is never called
      const daemon = startDaemon(repo, ['--chain-id', '1029'], { NOTIFY_SOCKET: socketPath });
      const output = await daemon.waitFor((o) => o.includes('Daemon is ready\n'));
      const order = ['Initializing daemon...', 'go-btfs version: ', 'Repo version: ', 'System version: ', 'Golang version: ',
        'Repo location: ', 'Peer identity: ', 'the address of Bttc format is: ', 'the address of Tron format is: ',
        'Swarm listening on ', 'API server listening on ', 'Gateway server listening on ', 'Daemon is ready'];
      const indexes = order.map((prefix) => at(output, prefix));
      expect(indexes.every((i) => i >= 0), output).toBe(true);
      expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
      expect(output).toContain(`API server listening on /ip4/127.0.0.1/tcp/${repo.api}\n`);
      expect(output).toContain(`Gateway server listening on /ip4/127.0.0.1/tcp/${repo.gateway}\n`);
      // simple mode: no guide, no dashboard, no chain, no funding
      expect(output).not.toMatch(/Guide: |Dashboard: |cannot continue until/);
      await listener.waitFor((o) => o.includes('READY=1'), READY_MS);
      expect(readFileSync(join(repo.path, 'api'), 'utf8')).toBe(`/ip4/127.0.0.1/tcp/${repo.api}`);

      // 401 (core/corehttp/corehttp_interceptor.go): token auth on, nobody logged in
      for (const url of [`http://127.0.0.1:${repo.gateway}/`, `http://127.0.0.1:${repo.api}/`, `http://127.0.0.1:${repo.api}/api/v1/version`]) {
        const response = await fetch(url, { method: url.endsWith('version') ? 'POST' : 'GET' });
        expect(response.status, url).toBe(401);
        expect(await response.text()).toBe('please login\n');
      }

      if (!REAL) {
        // Lab-only: the content comes from the ingest stand-in, then HTTP ranges as Go serves them
        const whole = await fetch(`http://127.0.0.1:${repo.gateway}/btfs/${CID}`);
        expect(whole.status).toBe(200);
        expect(whole.headers.get('x-ipfs-path')).toBe(`/btfs/${CID}`);
        expect(Buffer.from(await whole.arrayBuffer()).equals(CONTENT)).toBe(true);
        const part = await fetch(`http://127.0.0.1:${repo.gateway}/btfs/${CID}`, { headers: { Range: 'bytes=100-199' } });
        expect(part.status).toBe(206);
        expect(part.headers.get('content-range')).toBe(`bytes 100-199/${CONTENT.length}`);
        expect(Buffer.from(await part.arrayBuffer()).equals(CONTENT.subarray(100, 200))).toBe(true);
        const tail = await fetch(`http://127.0.0.1:${repo.gateway}/btfs/${CID}`, { headers: { Range: 'bytes=-10' } });
        expect(Buffer.from(await tail.arrayBuffer()).equals(CONTENT.subarray(-10))).toBe(true);
        const beyond = await fetch(`http://127.0.0.1:${repo.gateway}/btfs/${CID}`, { headers: { Range: `bytes=${CONTENT.length}-` } });
        expect(beyond.status).toBe(416);
        expect(beyond.headers.get('content-range')).toBe(`bytes */${CONTENT.length}`);
      }

      expect(await stop(daemon)).toBe(0);
      expect(daemon.output).toContain('Received interrupt signal, shutting down...\n');
      await listener.waitFor((o) => o.includes('STOPPING=1'), READY_MS);
      listener.child.kill('SIGKILL');
    });

    it('serves with a MaxMemory go-humanize reads, and fails to start with one it cannot read', async () => {
      // core/node/libp2p/rcmgr_defaults.go: humanize.ParseBytes(MaxMemory); an error fails the
      // node's construction (daemon.go), so the daemon exits before any listener
      const [good, bad] = await Promise.all([newRepo(['-sm']), newRepo(['-sm'])]);
      for (const [repo, value] of [[good, '384MiB'], [bad, '384 parsecs']] as const) {
        const config = readConfig(repo.path);
        config.Swarm.ResourceMgr.MaxMemory = value;
        writeFileSync(join(repo.path, 'config'), JSON.stringify(config, null, 2), { mode: 0o600 });
      }
      const [serving, failing] = [startDaemon(good), startDaemon(bad)];
      await serving.waitFor((o) => o.includes('Daemon is ready\n'));
      expect(await failing.exited).toBe(1);
      expect(failing.output).toContain('unhandled size name: parsecs');
      expect(failing.output).not.toContain('Daemon is ready');
      expect(await refused(bad.gateway)).toBe(true);
      expect(await stop(serving)).toBe(0);
    });

    it('refuses a second daemon on the same repo (the repo lock)', async () => {
      const repo = await newRepo(['-sm']);
      const first = startDaemon(repo);
      await first.waitFor((o) => o.includes('Daemon is ready\n'));
      const second = startDaemon(repo);
      expect(await second.exited).toBe(1);
      expect(second.output).toContain('someone else has the lock');
      expect(await stop(first)).toBe(0);
    });
  });

  describe('btfs daemon outside simple mode (settlement/swap/vault/init.go)', () => {
    it('waits for funds, printing the message every period, with the guide and no gateway', async () => {
      const repo = await newRepo([]);
      const daemon = startDaemon(repo);
      const message = /cannot continue until there is sufficient \(30000 Suggested\) BTT \(for Gas\) available on 0x[0-9a-f]{40} \n/g;
      const started = Date.now();
      await daemon.waitFor((o) => (o.match(message) ?? []).length >= 2, READY_MS + FUNDING_PERIOD_S * 2000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(FUNDING_PERIOD_S * 1000 * 0.8);
      const output = daemon.output;
      expect(at(output, 'Guide: ')).toBeGreaterThan(at(output, 'the address of Tron format is: '));
      expect(output).toContain(`Guide: http://127.0.0.1:${repo.api}/hostui\n`);
      expect(output).not.toMatch(/Daemon is ready|Gateway server listening|API server listening/);
      // the funded address is the node's own (BTTC) address
      const bttc = /the address of Bttc format is:  (0x[0-9a-fA-F]{40})/.exec(output)?.[1] ?? '';
      expect(output).toContain(`available on ${bttc.toLowerCase()} `);
      expect(await refused(repo.gateway)).toBe(true);
      // the guide server on the API address (guide/guide.go): a plain mux, no 401
      const root = await fetch(`http://127.0.0.1:${repo.api}/`);
      expect(root.status).toBe(404);
      const info = (await (await fetch(`http://127.0.0.1:${repo.api}/api/v1/guide-info/`)).json()) as { info: Record<string, string> };
      expect(info.info.bttc_address).toBe(bttc);
      // A first SIGTERM does not end the wait (nothing watches the cancelled context); a second
      // one exits at once with -1 (cmd/btfs/util/signal.go)
      daemon.child.kill('SIGTERM');
      await daemon.waitFor((o) => o.includes('Start handle signal\n'), READY_MS);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(daemon.child.exitCode).toBeNull();
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(255);
      expect(daemon.output).toContain('Received another interrupt before graceful shutdown, terminating...\n');
    });

    it('keeps the chain id stored at init: another --chain-id is refused', async () => {
      const repo = await newRepo([]);
      const daemon = startDaemon(repo, ['--chain-id', '1029']);
      expect(await daemon.exited).toBe(1);
      expect(daemon.output).toContain(
        'Error: current chainId=199 is different from input chainId=1029, you can not change chain id with --chain-id when node start',
      );
      expect(daemon.output).not.toContain('cannot continue until');
    });
  });

  describe('the release layouts (package.sh)', () => {
    it('names the files and writes config_linux_ARCH.yaml as package.sh does', () => {
      expect(releaseFileName('amd64', 'raw')).toBe('btfs-linux-amd64');
      expect(releaseFileName('arm64')).toBe('btfs-linux-arm64.tar');
      expect(releaseFileName('arm64', 'tgz')).toBe('btfs-linux-arm64.tar.gz');
      expect(downloadPath('4.1.0')).toBe('download/btfs-v4.1.0');
      const md5 = createHash('md5').update('x').digest('hex');
      expect(releaseYaml('4.1.0', md5)).toBe(
        `version: 4.1.0\nmd5: ${md5}\nautoupdateFlg: true\nsleepTimeSeconds: 86400\nbeginNumber: 0\nendNumber: 100\n`,
      );
    });
  });
});
