// What the stack's e2e tests share: the settings that point a Pi at the lab's stand-ins, waiting
// for the ingest to record a stream, ffprobe of a recording, unit start times, and looking for
// stream keys where they must never be.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { btfsReleaseOf, type LabHost, type LabState } from '../../../src/lab/index.js';
import { mustOnHost, onHost, onHostSurely, recordingsFor, waitFor, type Recording } from './lab.js';
import { labConnection, orbis, provision, type OrbisResult } from './orbis.js';

const run = promisify(execFile);

export interface StreamKeys {
  dlive: string;
  kick: string;
}

/** Fresh keys for one test file: recordings are named after them, so files never mix. */
export function newKeys(prefix: string): StreamKeys {
  const id = randomBytes(4).toString('hex');
  return { dlive: `${prefix}_dlive_${id}`, kick: `${prefix}_kick_sk_${id}` };
}

/**
 * Environment for `orbis provision` against the lab: keys (as a user would pass them, never on
 * the command line), the stand-in BTFS release and its checksums, and a small, cheap stream.
 */
export function stackEnv(lab: LabState, keys: Partial<StreamKeys>, extra: Record<string, string> = {}, layout: BtfsLayout = 'tar'): Record<string, string> {
  return {
    ...(keys.dlive ? { ORBIS_DLIVE_CLE_FLUX: keys.dlive } : {}),
    ...(keys.kick ? { ORBIS_KICK_CLE_FLUX: keys.kick } : {}),
    ...btfsReleaseEnv(lab, layout),
    ORBIS_PRESET_ENCODAGE: 'ultrafast',
    ...extra,
  };
}

/** go-btfs's release layouts the lab serves: the plain tar (the default), the raw binary, a gzipped tar. */
export type BtfsLayout = 'tar' | 'raw' | 'tgz';

/** The settings that point orbis at one layout of the lab's go-btfs release, with its checksums. */
export function btfsReleaseEnv(lab: LabState, layout: BtfsLayout = 'tar'): Record<string, string> {
  const [amd64, arm64] = [btfsReleaseOf(lab, 'amd64', layout), btfsReleaseOf(lab, 'arm64', layout)];
  return {
    ORBIS_BTFS_URL_TELECHARGEMENT: amd64.url.replace(/amd64/g, '{arch}'),
    ORBIS_BTFS_SHA256_AMD64: amd64.sha256,
    ORBIS_BTFS_SHA256_ARM64: arm64.sha256,
  };
}

/**
 * The Pi of one test file: `orbis provision` with the file's arguments and environment (set in
 * beforeAll), its own known_hosts, and everything orbis printed kept to look for keys in.
 */
export class StackPi {
  host!: LabHost;
  env: Record<string, string> = {};
  /** stdout and stderr of every run: no stream key may be in them. */
  readonly printed: string[] = [];
  readonly knownHosts = join(mkdtempSync(join(tmpdir(), 'orbis-stack-e2e-')), 'known_hosts');

  constructor(private readonly baseArgs: readonly string[]) {}

  async provision(args: readonly string[] = []): Promise<OrbisResult> {
    const result = await provision(this.host, this.knownHosts, [...this.baseArgs, ...args], this.env);
    this.printed.push(result.stdout, result.stderr);
    return result;
  }

  /** `orbis check` of this Pi against the same configuration as provision. */
  async check(args: readonly string[] = []): Promise<OrbisResult> {
    const result = await orbis(['check', `pi@${this.host.address}`, ...labConnection(this.host, this.knownHosts), ...this.baseArgs, ...args], { env: this.env });
    this.printed.push(result.stdout, result.stderr);
    return result;
  }
}

/** Recordings of `key` now, by file name (to tell the next publish's recording apart). */
export async function recordingNames(lab: LabState, platform: 'dlive' | 'kick', key: string): Promise<Set<string>> {
  return new Set((await recordingsFor(lab, platform, key)).map((r) => r.file));
}

/**
 * A recording of `key` not in `before` that has settled: it holds at least `minBytes` and
 * `minSeconds` of media. A publisher restarted right after it began (a unit restarted twice,
 * a push dropped and made again) leaves a fragment of a few frames, whose stream parameters
 * ffprobe cannot tell (a frame rate guessed from two frames): such a fragment is never the one
 * judged. The newest settled recording wins, so the fragment before a restart is passed over.
 */
export function newRecording(
  lab: LabState,
  platform: 'dlive' | 'kick',
  key: string,
  before: ReadonlySet<string>,
  timeoutMs: number,
  minBytes = 64 * 1024,
  minSeconds = 2,
): Promise<Recording> {
  return waitFor(
    `a new ${platform} recording for the test key (${minBytes} bytes and ${minSeconds} s of media at least)`,
    async () => {
      const fresh = (await recordingsFor(lab, platform, key)).filter((r) => !before.has(r.file) && r.bytes >= minBytes).sort((a, b) => recordingStamp(b) - recordingStamp(a) || b.file.localeCompare(a.file));
      for (const recording of fresh) if ((await mediaEnd(recording.path)) >= minSeconds) return recording;
      return undefined;
    },
    timeoutMs,
    250,
  );
}

/** nginx-rtmp names a recording `<key>-<unix time>.flv`: that time, 0 when it has none. */
function recordingStamp(r: Recording): number {
  return Number(/-(\d+)\.flv$/.exec(r.file)?.[1] ?? 0);
}

export interface MediaStreams {
  video?: { codec_name: string; profile: string; width: number; height: number; r_frame_rate: string };
  audio?: { codec_name: string; sample_rate: string; channels: number };
}

/** ffprobe (on the controller) of a recording: its first video and audio streams. */
export async function probeMedia(path: string): Promise<MediaStreams> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,profile,width,height,r_frame_rate,sample_rate,channels', '-of', 'json', path]);
  const streams = (JSON.parse(stdout) as { streams: Array<Record<string, unknown> & { codec_type: string }> }).streams;
  return {
    video: streams.find((s) => s.codec_type === 'video') as MediaStreams['video'],
    audio: streams.find((s) => s.codec_type === 'audio') as MediaStreams['audio'],
  };
}

/**
 * Expect a recording's streams to match, with the file and everything ffprobe said about it in
 * the message when they do not (a failure names which property differed, and by how much).
 */
export async function expectMedia(recording: Recording, expected: { video?: Partial<NonNullable<MediaStreams['video']>>; audio?: Partial<NonNullable<MediaStreams['audio']>> }): Promise<MediaStreams> {
  const media = await probeMedia(recording.path);
  const said = `${recording.file} (${recording.bytes} bytes, ${await mediaEnd(recording.path)} s of video): ${JSON.stringify(media)}`;
  if (expected.video) expect(media.video, said).toMatchObject(expected.video);
  if (expected.audio) expect(media.audio, said).toMatchObject(expected.audio);
  return media;
}

/**
 * The media time at the end of a recording so far: its last video timestamp, in seconds. The
 * file may be growing: ffprobe stops at the last whole packet.
 */
export async function mediaEnd(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path], { maxBuffer: 256 * 1024 * 1024 });
  const times = stdout.trim().split('\n').map(Number).filter((t) => Number.isFinite(t));
  return times.length > 0 ? Math.max(...times.slice(-30)) : 0;
}

/** The newest recording of `key` (nginx-rtmp names them `<key>-<unix time>.flv`). */
export async function newestRecording(lab: LabState, platform: 'dlive' | 'kick', key: string): Promise<Recording | undefined> {
  return (await recordingsFor(lab, platform, key)).sort((a, b) => recordingStamp(b) - recordingStamp(a) || b.file.localeCompare(a.file))[0];
}

/** systemd's start time of each unit: it changes exactly when the unit (re)starts. */
export async function unitStarts(host: LabHost, units: readonly string[]): Promise<Record<string, string>> {
  const out = await mustOnHost(host, `systemctl show -p Id -p ActiveEnterTimestampMonotonic ${units.join(' ')}`, { user: 'root' });
  const starts: Record<string, string> = {};
  for (const block of out.trim().split('\n\n')) {
    const id = /Id=(.*)/.exec(block)?.[1];
    const since = /ActiveEnterTimestampMonotonic=(.*)/.exec(block)?.[1];
    if (id) starts[id] = since ?? '';
  }
  return starts;
}

/**
 * What systemd's journal says of `unit` since `since` (a `journalctl --since` time, e.g. from
 * `hostNow`): how many times it was started, and its failures ("Failed with result ..."). A
 * streamer started then restarted at once leaves a fragment at the platforms and a false error
 * in `orbis status`: one start and no failure is the truth of a clean run.
 */
export async function unitJournal(host: LabHost, unit: string, since: string): Promise<{ starts: number; failures: string[]; text: string }> {
  // systemd's own lines about the unit (the unit's output is left out: _PID=1 only).
  const text = await mustOnHost(host, `journalctl --no-pager -o cat _PID=1 UNIT=${unit} --since ${JSON.stringify(since)} || true`, { user: 'root' });
  const lines = text.split('\n');
  return { starts: lines.filter((l) => l.startsWith('Started ')).length, failures: lines.filter((l) => /Failed with result/.test(l)), text };
}

/** The host's clock now, as journalctl's --since reads it. */
export async function hostNow(host: LabHost): Promise<string> {
  return (await mustOnHost(host, 'date "+%Y-%m-%d %H:%M:%S"', { user: 'root' })).trim();
}

export async function unitStates(host: LabHost, units: readonly string[]): Promise<Record<string, string>> {
  const states: Record<string, string> = {};
  for (const unit of units) {
    const active = await onHost(host, `systemctl is-active ${unit}`, { user: 'root' });
    const enabled = await onHost(host, `systemctl is-enabled ${unit}`, { user: 'root' });
    states[unit] = `${active.stdout.trim()}/${enabled.stdout.trim()}`;
  }
  return states;
}

/**
 * A grep pattern matching `key` that does not contain it literally ("dlive_x" -> "[d]live_x"),
 * so that the search itself never writes the key into a command line or the journal.
 */
export function hiddenPattern(key: string): string {
  return `[${key[0] ?? ''}]${key.slice(1)}`;
}

/**
 * Where a key must never be on the Pi: world-readable files (under /etc /var /home /usr/local /run
 * /opt /srv /tmp), the journal, and process command lines. Returns what was found (empty: clean);
 * a search SSH could not run is an error, never "clean".
 */
export async function keysOnHost(host: LabHost, keys: readonly string[]): Promise<string[]> {
  const patterns = keys.map((k) => `-e '${hiddenPattern(k)}'`).join(' ');
  const found: string[] = [];
  const files = await onHostSurely(
    host,
    `find /etc /var /home /usr/local /run /opt /srv /tmp -xdev -type f -perm -o+r -size -50M -print0 2>/dev/null | xargs -0 -r grep -l ${patterns} 2>/dev/null`,
    { user: 'root', timeoutMs: 180_000 },
  );
  found.push(...files.stdout.split('\n').filter((l) => l.length > 0).map((f) => `world-readable file ${f}`));
  const journal = await onHostSurely(host, `journalctl --no-pager -o cat | grep -c ${patterns}`, { user: 'root', timeoutMs: 120_000 });
  if (Number(journal.stdout.trim()) > 0) found.push(`${journal.stdout.trim()} journal line(s)`);
  const commandLines = await onHostSurely(host, `ps -eo args= | grep -c ${patterns}`, { user: 'root' });
  if (Number(commandLines.stdout.trim()) > 0) found.push(`${commandLines.stdout.trim()} process command line(s)`);
  return found;
}

/** What to read when the stream does not arrive: unit states and the stack's recent journal. */
export async function stackDiagnostics(host: LabHost): Promise<string> {
  const units = 'nginx.service stunnel@kick.service btfs.service orbis.service';
  const result = await onHost(
    host,
    `uptime; systemctl is-system-running; systemctl --no-pager --lines=0 status ${units}; journalctl -b --no-pager -o short-monotonic -n 60 -u nginx.service -u 'stunnel@*' -u btfs.service -u orbis.service`,
    { user: 'root', timeoutMs: 30_000 },
  );
  return `${result.stdout}\n${result.stderr}`.slice(-8000);
}
