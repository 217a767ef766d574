// The bench's streaming hosts (issue #20): the commands people type, timed on a Pi that streams as
// a real one does, beside the Ansible playbook of the same stack on an identical streaming host.
//
// - `stream1`: a lab Pi provisioned by orbis with the whole stack, its streamer on air to the
//   lab's stand-in DLive and Kick (as `orbis demo` leaves one): the demo's small stream
//   (640x360, ultrafast), encoded by orbis-diffuser from the Pi's BTFS gateway.
// - `peer1`: a lab host from the same base, converged by the peer playbook
//   (../shared/reference/ansible-peer: site.yml and its ansible.cfg, pipelining and
//   ControlPersist, used as they are). The playbook's streamer cannot stream (its diffuser reads a
//   concat list that is a bare URL, and its `btfs` is a static file server), and its unit is only
//   enabled, never started: left so, the host would not stream and the comparison would be
//   against a quiet host. So, as the idle fleet's drop-in does the other way (fleet.ts), the
//   bench gives the playbook's `orbis.service` a drop-in (not a file the playbook manages: its
//   no-op and check runs stay changed=0) whose command is the same encode as stream1's (its
//   rendered /etc/orbis/orbis.conf: size, rate, x264 and AAC arguments) of the same test video,
//   published to the playbook's own nginx relay, which pushes to DLive and, through the
//   playbook's stunnel, to Kick. One looping FFmpeg where orbis-diffuser runs an encoder per
//   round of the playlist and a copying publisher: the bench reports each host's CPU while
//   streaming, so that the two loads can be compared.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEMO_STREAM } from '../../src/demo/config.js';
import type { LabHost, LabState } from '../../src/lab/index.js';
import { recordingsFor } from '../e2e/helpers/lab.js';

export const STREAM_HOST = 'stream1';
export const PEER_HOST = 'peer1';

/** The streaming Pi's settings on top of the bench's: the demo's small stream. */
export function streamSettings(): Record<string, string> {
  return { ORBIS_LARGEUR_MAX: String(DEMO_STREAM.width), ORBIS_HAUTEUR_MAX: String(DEMO_STREAM.height), ORBIS_PRESET_ENCODAGE: DEMO_STREAM.preset };
}

/** ansible-playbook's path and version, or why it cannot run. */
export function findAnsible(): { path: string; version: string } | { missing: string } {
  const which = spawnSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  if (which.status !== 0 || path === '') return { missing: 'ansible-playbook not found (apt-get install ansible)' };
  const version = spawnSync(path, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return { missing: `${path} --version exited ${version.status ?? version.signal}: ${version.stderr.trim().slice(-300)}` };
  return { path, version: version.stdout.split('\n')[0]?.trim() ?? '' };
}

/** What the peer directory must hold, or why it cannot be used. */
export function peerProblem(peerDir: string): string | undefined {
  const absent = ['site.yml', 'ansible.cfg'].filter((f) => !existsSync(join(peerDir, f)));
  return absent.length === 0 ? undefined : `the Ansible peer ${peerDir} has no ${absent.join(' nor ')} (--ansible-peer DIR)`;
}

/** The environment ansible-playbook runs with: the peer's own ansible.cfg, whatever the working directory. */
export function ansibleEnv(peerDir: string): Record<string, string> {
  return { ANSIBLE_CONFIG: join(peerDir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' };
}

/** An inventory of the peer host in the shape of the peer's inventory.ini (group `pis`). */
export function peerInventory(host: Pick<LabHost, 'name' | 'address' | 'user' | 'port' | 'keyPath'>): string {
  return [
    '# orbis bench: the Ansible peer\'s host (test/bench/streaming.ts)',
    '[pis]',
    `${host.name} ansible_host=${host.address} ansible_port=${host.port}`,
    '[pis:vars]',
    `ansible_user=${host.user}`,
    `ansible_ssh_private_key_file=${host.keyPath}`,
    '',
  ].join('\n');
}

/** What the bench needs to know of the peer playbook, read from its own files. */
export interface PeerStack {
  /** The stream keys it pushes with (its vars): its recordings at the ingest are named after them. */
  keys: { dlive: string; kick: string };
  /** Where its diffuser publishes: the playbook's nginx relay (rtmp_port, the diffuser's path). */
  publishUrl: string;
}

export function peerStack(siteYml: string, diffuserTemplate: string): PeerStack {
  const plays = parse(siteYml) as Array<{ vars?: Record<string, unknown> }>;
  const vars = plays.find((p) => p.vars)?.vars ?? {};
  if (typeof vars.dlive_key !== 'string' || typeof vars.kick_key !== 'string') throw new Error('the peer playbook sets no dlive_key and kick_key in its vars');
  const path = /rtmp:\/\/127\.0\.0\.1:\{\{\s*rtmp_port\s*\}\}\/(\S+)/.exec(diffuserTemplate)?.[1];
  if (!path || typeof vars.rtmp_port !== 'number') throw new Error('the peer\'s diffuser template publishes to no rtmp://127.0.0.1:{{ rtmp_port }}/PATH');
  return { keys: { dlive: vars.dlive_key, kick: vars.kick_key }, publishUrl: `rtmp://127.0.0.1:${vars.rtmp_port}/${path}` };
}

export async function readPeerStack(peerDir: string): Promise<PeerStack> {
  return peerStack(await readFile(join(peerDir, 'site.yml'), 'utf8'), await readFile(join(peerDir, 'templates', 'diffuser.sh.j2'), 'utf8'));
}

export const PEER_STREAMER_DIR = 'usr/local/lib/orbis-bench';
export const PEER_STREAMER_DROPIN = 'etc/systemd/system/orbis.service.d/bench-stream.conf';

/** The peer's streamer: the same encode as orbis-diffuser's (its conf's values), one looping FFmpeg. */
export function peerStreamerScript(publishUrl: string): string {
  const dir = `/${PEER_STREAMER_DIR}`;
  return `#!/bin/bash
# orbis bench: the Ansible peer's host streams as the orbis Pi does (test/bench/streaming.ts):
# the orbis Pi's encode settings (a copy of its /etc/orbis/orbis.conf) applied to the lab's test
# video, published to the playbook's nginx relay, which pushes to the stand-in DLive and Kick.
set -euo pipefail
# shellcheck source=/dev/null
. ${dir}/encode.conf
read -r -a encoder <<< "$ENCODEUR_ARGS"
frame="scale=\${LARGEUR}:\${HAUTEUR}:force_original_aspect_ratio=decrease,pad=\${LARGEUR}:\${HAUTEUR}:(ow-iw)/2:(oh-ih)/2:black,setsar=1"
exec ffmpeg -hide_banner -nostdin -nostats -loglevel error -re -stream_loop -1 -i ${dir}/source.mp4 \\
  -map 0:v:0 -vf "\${frame},format=yuv420p" -map 0:a:0 "\${encoder[@]}" -r "$IMAGES_PAR_SECONDE" -fps_mode cfr \\
  -c:a aac -b:a "\${AUDIO_DEBIT_KBPS}k" -ar "$AUDIO_FREQUENCE_HZ" -ac "$AUDIO_CANAUX" \\
  -f flv ${publishUrl}
`;
}

const PEER_DROPIN = `# orbis bench: the playbook's streamer cannot stream; this one does (test/bench/streaming.ts)
[Service]
ExecStart=
ExecStart=/${PEER_STREAMER_DIR}/stream
`;

/**
 * Give the peer host its streamer, through its root filesystem as mounted on the controller:
 * the orbis Pi's encode settings, the lab's test video, the script and the drop-in. The caller
 * then reloads systemd and restarts orbis.service on the host.
 */
export async function installPeerStreamer(peer: Pick<LabHost, 'root'>, orbisPi: Pick<LabHost, 'root'>, lab: Pick<LabState, 'btfs'>, publishUrl: string): Promise<void> {
  const dir = join(peer.root, PEER_STREAMER_DIR);
  await mkdir(dir, { recursive: true });
  const video = lab.btfs.content.find((c) => c.cid === lab.btfs.testCid) ?? lab.btfs.content[0];
  if (!video) throw new Error('the lab has no BTFS test content to stream');
  // Readable by the playbook's `orbis` user: the copy keeps the source's mode (0640, group
  // orbis of the other host). The conf holds no key (the streamer publishes to a local relay).
  for (const [from, to] of [[join(orbisPi.root, 'etc/orbis/orbis.conf'), 'encode.conf'], [video.path, 'source.mp4']] as const) {
    await copyFile(from, join(dir, to));
    await chmod(join(dir, to), 0o644);
  }
  await writeFile(join(dir, 'stream'), peerStreamerScript(publishUrl), { mode: 0o755 });
  const dropin = join(peer.root, PEER_STREAMER_DROPIN);
  await mkdir(join(dropin, '..'), { recursive: true });
  await writeFile(dropin, PEER_DROPIN, { mode: 0o644 });
}

/** Is a stream with this key arriving at the platform's stand-in: its newest recording growing? */
export async function arriving(lab: LabState, platform: 'dlive' | 'kick', key: string, windowMs = 2500): Promise<boolean> {
  const newest = async () => (await recordingsFor(lab, platform, key)).sort((a, b) => b.file.localeCompare(a.file))[0];
  const before = await newest();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = await newest();
  return after !== undefined && (before === undefined || after.file !== before.file || after.bytes > before.bytes);
}

/** Wait until every key arrives at both stand-ins; resolves with those that never did. */
export async function waitArriving(lab: LabState, keys: ReadonlyArray<{ who: string; dlive: string; kick: string }>, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const checks = await Promise.all(
      keys.flatMap((k) => (['dlive', 'kick'] as const).map(async (platform) => ({ what: `${k.who} to ${platform}`, ok: await arriving(lab, platform, k[platform]) }))),
    );
    const missing = checks.filter((c) => !c.ok).map((c) => c.what);
    if (missing.length === 0 || Date.now() > deadline) return missing;
  }
}

/**
 * CPU time of one process from /proc/PID/stat, in clock ticks: its own (utime, stime) and that of
 * the children it reaped (cutime, cstime). Summed over a host's processes, this only grows: a
 * process that ends moves its time into its parent's children's time (the host's systemd reaps
 * what its parents do not), so an encoder started for each round of a playlist still counts.
 */
export function cpuTicksOfStat(statLine: string): number {
  // The command name (field 2) is in parentheses and may hold spaces: count from its closing one.
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).trim().split(/\s+/);
  // After the name: state (3), ppid (4) ... utime (14), stime (15), cutime (16), cstime (17).
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? Number.NaN), 0);
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds used so far by the processes of a lab host (those in its network namespace). */
export async function hostCpuSeconds(netns: string): Promise<number> {
  const target = `net:[${(await stat(`/run/netns/${netns}`)).ino}]`;
  let ticks = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if ((await readlink(`/proc/${pid}/ns/net`)) !== target) continue;
      const value = cpuTicksOfStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
      if (Number.isFinite(value)) ticks += value;
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks / CLOCK_TICKS;
}

/** Each host's CPU over `seconds` (in cores: 1 = one core busy the whole time). */
export async function hostsCpu(hosts: readonly Pick<LabHost, 'name' | 'netns'>[], seconds: number): Promise<Record<string, number>> {
  const before = await Promise.all(hosts.map((h) => hostCpuSeconds(h.netns)));
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = await Promise.all(hosts.map((h) => hostCpuSeconds(h.netns)));
  const elapsed = (Date.now() - started) / 1000;
  return Object.fromEntries(hosts.map((h, i) => [h.name, ((after[i] as number) - (before[i] as number)) / elapsed]));
}
