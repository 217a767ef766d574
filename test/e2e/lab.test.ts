// The lab's promises (issue 2, "Done when"), each proven for real against the shared e2e lab:
// no mocks, real systemd/sshd/apt in nspawn hosts, real nginx-rtmp/stunnel on the ingest.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { findLeftovers, isClean, labLayout, labUp, loadLab } from '../../src/lab/index.js';
import type { LabHost, LabState } from '../../src/lab/index.js';
import {
  aptInstall,
  freshHost,
  getLab,
  mustOnHost,
  onHost,
  recordingsFor,
  releaseHost,
  waitFor,
} from './helpers/lab.js';
import { orbis } from './helpers/orbis.js';

const exec = promisify(execFile);

/** A small, quick test stream: every streaming host shares the machine's 2 cores. */
function publishCommand(url: string, seconds = 3): string {
  return [
    'ffmpeg -hide_banner -loglevel error -nostdin -re',
    '-f lavfi -i testsrc2=size=640x360:rate=30 -f lavfi -i sine=frequency=440:sample_rate=44100',
    `-t ${seconds} -c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p -g 30`,
    `-c:a aac -b:a 96k -f flv ${url}`,
  ].join(' ');
}

function streamKey(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 10)}`;
}

async function probeCodecs(path: string): Promise<string[]> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', path]);
  return stdout.split('\n').map((s) => s.trim()).filter(Boolean).sort();
}

async function landedRecording(lab: LabState, platform: 'dlive' | 'kick', key: string): Promise<string> {
  // nginx-rtmp closes the file when the publisher leaves; wait for a playable one.
  return waitFor(
    `a ${platform} recording for the stream`,
    async () => {
      const [recording] = await recordingsFor(lab, platform, key);
      if (!recording || recording.bytes < 10_000) return undefined;
      const codecs = await probeCodecs(recording.path).catch((): string[] => []);
      return codecs.includes('h264') && codecs.includes('aac') ? recording.path : undefined;
    },
    20_000,
  );
}

let lab: LabState;
let first: LabHost;
let second: LabHost;

beforeAll(async () => {
  lab = await getLab();
  [first, second] = await Promise.all([freshHost(), freshHost()]);
});

afterAll(async () => {
  await Promise.all([releaseHost(first), releaseHost(second)]);
});

describe('lab hosts', () => {
  test('answer SSH as pi with passwordless sudo, and as root, with the lab key', async () => {
    expect(await mustOnHost(first, 'id -un')).toBe('pi\n');
    expect(await mustOnHost(first, 'sudo -n id -u')).toBe('0\n');
    expect(await mustOnHost(first, 'id -u', { user: 'root' })).toBe('0\n');
    expect(await mustOnHost(first, 'hostname')).toBe(`${first.name}\n`);
    // A Pi-like Debian bookworm with systemd up.
    expect(await mustOnHost(first, '. /etc/os-release && echo $VERSION_CODENAME')).toBe('bookworm\n');
    expect(['running\n', 'degraded\n']).toContain((await onHost(first, 'systemctl is-system-running')).stdout);
  });

  test('present different SSH host keys, as published in the lab known_hosts', async () => {
    const keys = await Promise.all(
      [first, second].map(async (host) => {
        const { stdout } = await exec('ssh-keyscan', ['-t', 'ed25519', '-T', '5', host.address]);
        const line = stdout.split('\n').find((l) => l.startsWith(`${host.address} ssh-ed25519 `));
        expect(line, `ssh-keyscan ${host.address}`).toBeDefined();
        return line!.split(' ')[2]!;
      }),
    );
    expect(keys[0]).not.toBe(keys[1]);
    const knownHosts = await readFile(lab.knownHostsPath, 'utf8');
    expect(knownHosts).toContain(`${first.address} ssh-ed25519 ${keys[0]}`);
    expect(knownHosts).toContain(`${second.address} ssh-ed25519 ${keys[1]}`);
  });

  test('have their own machine ids', async () => {
    const [a, b] = await Promise.all([first, second].map((h) => mustOnHost(h, 'cat /etc/machine-id')));
    expect(a).toMatch(/^[0-9a-f]{32}\n$/);
    expect(a).not.toBe(b);
  });

  test('come back after a reboot from inside', async () => {
    // /run is a fresh tmpfs per boot: the marker tells the old boot from the new one.
    await mustOnHost(second, 'sudo touch /run/orbis-before-reboot');
    await onHost(second, 'sudo systemctl reboot', { timeoutMs: 20_000 });
    const state = await waitFor(
      `${second.name} to boot again`,
      async () => {
        const probe = await onHost(second, 'test -e /run/orbis-before-reboot && echo old-boot || systemctl is-system-running', {
          user: 'root',
          timeoutMs: 10_000,
        });
        const answer = probe.stdout.trim();
        return answer === 'running' || answer === 'degraded' ? answer : undefined;
      },
      120_000,
      500,
    );
    expect(['running', 'degraded']).toContain(state);
    expect(await mustOnHost(second, 'sudo -n true && echo ok')).toBe('ok\n');
  });

  test('install packages with apt from the Debian mirror', async () => {
    const missing = await onHost(first, 'command -v jq');
    expect(missing.code).not.toBe(0);
    await aptInstall(first, ['jq']);
    expect(await mustOnHost(first, `echo '{"pi": 4}' | jq .pi`)).toBe('4\n');
  });
});

describe('lab network', () => {
  interface Rule {
    chain: string;
    fields: Map<string, string>;
    negated: boolean;
    target: string;
  }

  function parseRules(listing: string): Rule[] {
    return listing
      .split('\n')
      .filter((line) => line.startsWith('-A '))
      .map((line) => {
        const tokens = line.split(/\s+/);
        const fields = new Map<string, string>();
        for (let i = 2; i < tokens.length; i++) {
          const token = tokens[i]!;
          if (token.startsWith('-') && i + 1 < tokens.length && !tokens[i + 1]!.startsWith('-')) fields.set(token, tokens[++i]!);
          else if (token.startsWith('-')) fields.set(token, '');
        }
        return { chain: tokens[1]!, fields, negated: tokens.includes('!'), target: fields.get('-j') ?? '' };
      });
  }

  test('hosts route everything through the lab bridge', async () => {
    const route = await mustOnHost(first, 'ip -4 route show default');
    expect(route).toContain(`default via ${lab.gateway} dev eth0`);
  });

  test('the forwarding rules in force accept nothing from the lab subnet but the mirror (and DNS)', async () => {
    // Read the rules; never probe an outside address for real (this machine's network is watched).
    const forward = parseRules((await exec('iptables', ['-w', '-S', 'FORWARD'])).stdout);
    const chain = lab.firewall.forwardChain;
    // Our jump for traffic coming from the bridge is the first FORWARD rule: nothing before it
    // can accept lab traffic.
    expect(forward[0]).toMatchObject({ target: chain, negated: false });
    expect(forward[0]!.fields.get('-i')).toBe(lab.bridge);

    const { stdout: current } = await exec('getent', ['ahostsv4', ...lab.mirror.hosts]);
    const mirrorNow = new Set(current.split('\n').map((l) => l.split(/\s+/)[0]).filter(Boolean));
    const allowedMirror = new Set(lab.mirror.addresses);
    for (const address of mirrorNow) expect(allowedMirror.has(address!), `mirror address ${address} allowed`).toBe(true);

    const rules = parseRules((await exec('iptables', ['-w', '-S', chain])).stdout);
    const accepted: string[] = [];
    let dropped = false;
    for (const rule of rules) {
      const into = rule.fields.get('-i');
      const out = rule.fields.get('-o');
      // Rules for traffic towards the lab, or staying inside it, cannot match traffic leaving it.
      if (out === lab.bridge && !rule.negated) continue;
      expect(into, `rule without -i ${lab.bridge}: ${[...rule.fields].join(' ')}`).toBe(lab.bridge);
      expect(rule.negated, 'no negated matches').toBe(false);
      expect(['ACCEPT', 'DROP', 'REJECT']).toContain(rule.target); // no RETURN to a permissive policy
      if (rule.target === 'ACCEPT') {
        const destination = (rule.fields.get('-d') ?? '').replace(/\/32$/, '');
        const ports = (rule.fields.get('--dports') ?? rule.fields.get('--dport') ?? '').split(',');
        if (allowedMirror.has(destination)) {
          expect(rule.fields.get('-p')).toBe('tcp');
          for (const port of ports) expect(['80', '443']).toContain(port);
        } else {
          expect(lab.mirror.resolvers, `accepted destination ${destination}`).toContain(destination);
          expect(ports).toEqual(['53']);
        }
        accepted.push(`${destination}:${ports.join(',')}/${rule.fields.get('-p')}`);
      } else {
        // The first unconditional drop ends the policy for lab traffic.
        const criteria = [...rule.fields.keys()].filter((k) => k !== '-i' && k !== '-j');
        if (criteria.length === 0) {
          dropped = true;
          break;
        }
      }
    }
    expect(dropped, 'everything else leaving the lab is dropped').toBe(true);
    expect(accepted.length).toBeGreaterThan(0);

    // Masquerading is for the lab subnet only.
    const nat = parseRules((await exec('iptables', ['-w', '-t', 'nat', '-S', lab.firewall.natChain])).stdout);
    expect(nat).toHaveLength(1);
    expect(nat[0]!.fields.get('-s')).toBe(lab.subnet);
    expect(nat[0]!.target).toBe('MASQUERADE');
  });
});

describe('stand-in platforms on the ingest', () => {
  const kickHost = () => lab.ingest.kick.tlsHost;

  beforeAll(async () => {
    await aptInstall(first, ['ffmpeg', 'stunnel4']);
  });

  test('lab hosts resolve the platforms to the ingest', async () => {
    const names = [lab.ingest.hostnames.dlive, lab.ingest.hostnames.kick, lab.ingest.hostnames.btfsBootstrap];
    const resolved = await mustOnHost(first, `getent ahostsv4 ${names.join(' ')} | awk '{print $1}' | sort -u`);
    expect(resolved).toBe(`${lab.ingest.address}\n`);
  });

  test('a stream published with FFmpeg to rtmp://stream.dlive.tv/live/KEY lands as a recording', async () => {
    const key = streamKey('e2edlive');
    await mustOnHost(first, publishCommand(`${lab.ingest.dlive.url}/${key}`), { timeoutMs: 60_000 });
    const recording = await landedRecording(lab, 'dlive', key);
    expect(await probeCodecs(recording)).toEqual(['aac', 'h264']);
  });

  test('the Kick host name verifies with the lab CA; a client that does not trust it is refused', async () => {
    const host = kickHost();
    const check = (caOptions: string) =>
      onHost(
        first,
        `openssl s_client -connect ${host}:443 -servername ${host} -verify_hostname ${host} -verify_return_error -brief ${caOptions} </dev/null 2>&1`,
        { timeoutMs: 30_000 },
      );
    const trusted = await check('');
    expect(trusted.code, trusted.stdout).toBe(0);
    expect(trusted.stdout).toMatch(/Verification: OK/);
    expect(trusted.stdout).toContain(`Peer certificate: CN = ${host}`);

    // The public trust store without the lab CA: what a Pi that never joined the lab has.
    await mustOnHost(first, 'cat /usr/share/ca-certificates/mozilla/*.crt > /tmp/public-cas.pem');
    const untrusted = await check('-CAfile /tmp/public-cas.pem -no-CApath -no-CAstore');
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stdout).toMatch(/certificate verify failed|unable to get local issuer certificate/);
  });

  test('a stream pushed through TLS (stunnel client, verifyChain + checkHost) lands; without the lab CA it does not', async () => {
    const host = kickHost();
    const stunnelClient = (name: string, port: number, caFile: string) =>
      [
        `cat > /tmp/${name}.conf <<'EOF'`,
        'foreground = no',
        `pid = /tmp/${name}.pid`,
        `[kick]`,
        'client = yes',
        `accept = 127.0.0.1:${port}`,
        `connect = ${host}:443`,
        `sni = ${host}`,
        'verifyChain = yes',
        `checkHost = ${host}`,
        `CAfile = ${caFile}`,
        'EOF',
        `stunnel4 /tmp/${name}.conf`,
      ].join('\n');

    const key = streamKey('e2ekick');
    await mustOnHost(first, stunnelClient('kick-trusting', 11935, '/etc/ssl/certs/ca-certificates.crt'));
    try {
      await mustOnHost(first, publishCommand(`rtmp://127.0.0.1:11935/${lab.ingest.kick.application}/${key}`), { timeoutMs: 60_000 });
    } finally {
      await onHost(first, 'kill $(cat /tmp/kick-trusting.pid)');
    }
    const recording = await landedRecording(lab, 'kick', key);
    expect(await probeCodecs(recording)).toEqual(['aac', 'h264']);

    const refusedKey = streamKey('e2ekickrefused');
    await mustOnHost(first, 'cat /usr/share/ca-certificates/mozilla/*.crt > /tmp/public-cas.pem');
    await mustOnHost(first, stunnelClient('kick-public', 11936, '/tmp/public-cas.pem'));
    try {
      const refused = await onHost(first, publishCommand(`rtmp://127.0.0.1:11936/${lab.ingest.kick.application}/${refusedKey}`, 1), {
        timeoutMs: 60_000,
      });
      expect(refused.code).not.toBe(0);
    } finally {
      await onHost(first, 'kill $(cat /tmp/kick-public.pid)');
    }
    expect(await recordingsFor(lab, 'kick', refusedKey)).toEqual([]);
  });
});

describe('BTFS stand-in (go-btfs as its source behaves: src/lab/assets/btfs/btfs.py)', () => {
  test('installs from the plain release tar (sha256, md5 of its yaml); simple mode serves ranges at once, 401 on /; a plain init waits for funds with no gateway', async () => {
    const host = second;
    const arch = (await mustOnHost(host, 'dpkg --print-architecture')).trim();
    expect(arch).toBe('amd64');
    // go-btfs's package.sh: a plain tar holding btfs-linux-ARCH and config_linux_ARCH.yaml (md5).
    const release = lab.btfs.releases.amd64;
    expect(release.file).toBe('btfs-linux-amd64.tar');
    await mustOnHost(host, `curl -fsS -o /tmp/${release.file} ${release.url} && curl -fsS -o /tmp/${release.file}.sha256 ${release.sha256Url}`);
    expect(await mustOnHost(host, `cd /tmp && sha256sum -c ${release.file}.sha256`)).toContain(': OK');
    expect((await mustOnHost(host, `tar -tf /tmp/${release.file} | sort`)).split('\n').filter(Boolean)).toEqual(['btfs-linux-amd64', 'config_linux_amd64.yaml']);
    await mustOnHost(host, `mkdir -p /tmp/btfs && tar -xf /tmp/${release.file} -C /tmp/btfs && sudo install -m 0755 /tmp/btfs/btfs-linux-amd64 /usr/local/bin/btfs`);
    const md5 = (await mustOnHost(host, 'md5sum < /tmp/btfs/btfs-linux-amd64')).split(' ')[0];
    expect(await mustOnHost(host, 'cat /tmp/btfs/config_linux_amd64.yaml')).toContain(`md5: ${md5}\n`);
    expect(await mustOnHost(host, 'btfs version')).toBe(`btfs version ${lab.btfs.version}\n`);

    // init --simple-mode creates the repo once and refuses a second time.
    await mustOnHost(host, 'btfs init --simple-mode');
    const again = await onHost(host, 'btfs init');
    expect(again.code).not.toBe(0);
    expect(again.stdout + again.stderr).toMatch(/already exists/);
    expect(await mustOnHost(host, 'btfs config SimpleMode')).toBe('true\n');

    // Its pid kept (the launcher execs python3 in place: the same pid), not found by pattern: a
    // `pkill -f` would match the very shell that runs it.
    await mustOnHost(host, 'setsid nohup btfs daemon >/tmp/btfs-daemon.log 2>&1 </dev/null & echo $! > /tmp/btfs.pid');
    await waitFor('"Daemon is ready"', async () => ((await onHost(host, 'grep -q "Daemon is ready" /tmp/btfs-daemon.log')).code === 0 ? true : undefined), 30_000, 300);
    const log = await mustOnHost(host, 'cat /tmp/btfs-daemon.log');
    expect(log.indexOf('Gateway server listening on')).toBeLessThan(log.indexOf('Daemon is ready'));
    expect(log).not.toMatch(/cannot continue until/);

    const item = lab.btfs.content.find((c) => c.cid === lab.btfs.testCid)!;
    expect(item).toBeDefined();
    const headers = await mustOnHost(host, `curl -s -r 0-1023 -o /tmp/part -D - http://127.0.0.1:8080/btfs/${item.cid}`);
    expect(headers).toMatch(/^HTTP\/1\.1 206/);
    expect(headers).toContain(`Content-Range: bytes 0-1023/${item.bytes}`);
    const local = await readFile(item.path);
    const part = (await mustOnHost(host, 'sha256sum /tmp/part')).split(' ')[0];
    expect(part).toBe(createHash('sha256').update(local.subarray(0, 1024)).digest('hex'));
    // go-btfs's interceptor: the gateway's / and the API's own commands want a login.
    expect(await mustOnHost(host, 'curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:8080/')).toBe('401');
    expect(await mustOnHost(host, 'curl -s -o /dev/null -w "%{http_code}" -X POST http://127.0.0.1:5001/api/v1/version')).toBe('401');
    await mustOnHost(host, 'kill -TERM "$(cat /tmp/btfs.pid)"; for i in $(seq 100); do ss -Htln "sport = :8080" | grep -q . || exit 0; sleep 0.1; done; exit 1');

    // A plain init (a full node): the daemon waits for funds, says so, and opens no gateway.
    await mustOnHost(host, 'rm -rf ~/.btfs && btfs init >/dev/null');
    expect(await mustOnHost(host, 'btfs config SimpleMode')).toBe('false\n');
    await mustOnHost(host, 'BTFS_STANDIN_FUNDING_PERIOD=1 setsid nohup btfs daemon >/tmp/btfs-full.log 2>&1 </dev/null & echo $! > /tmp/btfs.pid');
    await waitFor('the funding message', async () => ((await onHost(host, 'grep -q "cannot continue until there is sufficient (30000 Suggested) BTT (for Gas) available on 0x" /tmp/btfs-full.log')).code === 0 ? true : undefined), 30_000, 300);
    expect((await onHost(host, 'ss -Htln "sport = :8080"')).stdout).toBe('');
    expect((await onHost(host, 'grep -c "Daemon is ready" /tmp/btfs-full.log')).stdout.trim()).toBe('0');
    // Waiting for funds, go-btfs ignores the first TERM (cmd/btfs/util/signal.go): KILL.
    await onHost(host, 'kill -KILL "$(cat /tmp/btfs.pid)"; rm -rf ~/.btfs');
  });
});

describe('arm64 hosts', () => {
  let arm: LabHost | undefined;
  afterAll(async () => releaseHost(arm));

  test('boot under emulation and pick the arm64 BTFS tarball, an aarch64 ELF', async () => {
    arm = await freshHost({ arch: 'arm64' });
    expect(await mustOnHost(arm, 'uname -m')).toBe('aarch64\n');
    expect(await mustOnHost(arm, 'dpkg --print-architecture')).toBe('arm64\n');
    // Booted cleanly under qemu-user, not just reachable (see rootfs.ts, relaxForEmulation).
    expect((await onHost(arm, 'systemctl is-system-running')).stdout).toBe('running\n');
    const release = lab.btfs.releases.arm64;
    await mustOnHost(arm, `cd /tmp && curl -fsS -O ${release.url} -O ${release.sha256Url} && sha256sum -c ${release.file}.sha256`, {
      timeoutMs: 120_000,
    });
    // binfmt would run a wrong-architecture binary silently: check the ELF header, not that it runs.
    const dir = await mkdtemp(join(tmpdir(), 'orbis-btfs-'));
    try {
      const tarball = join(dir, release.file);
      const response = await fetch(release.addressUrl);
      expect(response.status).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(release.sha256);
      await writeFile(tarball, bytes);
      await exec('tar', ['-xf', tarball, '-C', dir]);
      const { stdout } = await exec('file', ['-b', join(dir, 'btfs-linux-arm64')]);
      expect(stdout).toMatch(/ELF 64-bit LSB executable, ARM aarch64/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // The Pi's own copy is that same file (same sha256), and it says it was built for arm64.
    expect(await mustOnHost(arm, `tar -xf /tmp/${release.file} -C /tmp && /tmp/btfs-linux-arm64 version --all`, { timeoutMs: 60_000 })).toContain(
      'System version: arm64/linux',
    );
  }, 900_000);
});

describe('lab lifecycle', () => {
  test('`orbis lab up` prints an inventory; a second lab beside this one survives a killed run; `lab down` leaves nothing', async () => {
    const name = 'orbis-e2e-life';
    const env = { ORBIS_LAB_NAME: name, ORBIS_LAB_SUBNET: '10.213.9.0/24' };
    const up = await orbis(['lab', 'up', '--hosts', '1'], { env });
    expect(up.code, up.stderr).toBe(0);
    const inventory = parse(up.stdout) as { hosts: Record<string, { address: string; user: string; port: number; key: string }> };
    expect(Object.keys(inventory.hosts)).toEqual(['pi1']);
    const pi = inventory.hosts.pi1!;
    expect(pi).toMatchObject({ user: 'pi', port: 22 });
    expect((await onHost({ name: 'pi1', address: pi.address, keyPath: pi.key }, 'id -un')).stdout).toBe('pi\n');
    const status = await orbis(['lab', 'status'], { env });
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout).toMatch(/pi1\s+pi\s+10\.213\.9\.10\s+amd64\s+running/);

    // Kill supervisors and systemd-nspawn as a crash would: the containers live on, orphaned,
    // with their mounts, netns and rules. Then start again over the wreck.
    const state = await loadLab(name);
    for (const host of [state.ingestHost, state.hosts.pi1]) {
      if (!host?.supervisorPid) continue;
      const nspawn = Number((await readFile(join(state.dir, 'hosts', host.name, 'nspawn.pid'), 'utf8')).trim());
      process.kill(host.supervisorPid, 'SIGKILL');
      process.kill(nspawn, 'SIGKILL');
    }
    const again = await labUp({ name, subnet: env.ORBIS_LAB_SUBNET, hosts: 1 });
    expect(Object.keys(again.hosts)).toEqual(['pi1']);
    expect((await onHost(again.hosts.pi1!, 'id -un')).stdout).toBe('pi\n');
    // The shared e2e lab was not disturbed.
    expect((await onHost(first, 'id -un')).stdout).toBe('pi\n');

    const down = await orbis(['lab', 'down'], { env });
    expect(down.code, down.stderr).toBe(0);
    const left = await findLeftovers(labLayout(name));
    expect(left).toEqual({ processes: [], mounts: [], netns: [], links: [], rules: [] });
    expect(isClean(left)).toBe(true);
    const { stdout: netns } = await exec('ip', ['netns', 'list']);
    expect(netns).not.toContain(`${name}_`);
    const { stdout: rules } = await exec('iptables', ['-w', '-S']);
    expect(rules).not.toContain(state.firewall.forwardChain);
    const after = await orbis(['lab', 'status'], { env });
    expect(after.code).toBe(1);
    expect(after.stdout).toContain(`lab "${name}" is not up`);
  });
});
