// The verify script's tagged lines -> Observations: what the host said, not yet judged. Each
// field stays undefined when its section did not run or did not answer, so a check can tell
// "not asked" from "asked and failed". Unknown tags are ignored (a newer script, an older parser).
import { parseListeners, parseProcess, type Listener, type ProcessInfo } from './ss.js';
import { parseUnits, type UnitState } from './units.js';

export interface UnitSample {
  /** Host time of the sample, in seconds. */
  at: number;
  /** The host's monotonic clock then (seconds since boot): how long each unit has been up. */
  uptime?: number;
  units: Record<string, UnitState>;
}

/** What the live streamer said of itself (verify.sh's streamer_live). */
export interface LiveStreamer {
  /** samples: its speed can be read; starting: its first samples are coming; none: neither. */
  state: 'samples' | 'starting' | 'none';
  /** Seconds since orbis.service (re)started. */
  sinceStartSec: number;
  /** Its `etat` file (two progress samples, newest first) when state is samples. */
  etat: string;
}

export interface CommandOutput {
  /** Exit code (127: the command is not installed). */
  rc: number;
  output: string;
}

export interface Observations {
  /** Host time when the script started, in seconds since the epoch. */
  now?: number;
  unitSamples: UnitSample[];
  listeners?: Listener[];
  processes: Record<number, ProcessInfo>;
  gateway?: { rc: number; code: number; bytes: number; seconds: number; error: string };
  api?: { rc: number; code: number };
  stat?: { rc: number; code: number; body: string; error: string };
  /** Host name -> the IPv4 address the host resolves it to ('' when it does not). */
  resolved: Record<string, string>;
  tls?: CommandOutput;
  /** `openssl x509 -subject -issuer -enddate` of what the Kick ingest presented. */
  cert?: string;
  dlive?: { rc: number; ms: number; error: string };
  virt?: string;
  timedate?: { properties: Record<string, string>; syncFlag: boolean };
  nginxTest?: CommandOutput;
  nginxModules?: CommandOutput;
  ffmpeg?: { rc: number; ms: number; user: string; encoder: string; how: string; log: string };
  live?: LiveStreamer;
  /** The script reached its end (a missing END: it was cut short). */
  complete: boolean;
}

function b64(value: string | undefined): string {
  return value ? Buffer.from(value, 'base64').toString('utf8') : '';
}

function num(value: string | undefined): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : NaN;
}

export function emptyObservations(): Observations {
  return { unitSamples: [], processes: {}, resolved: {}, complete: false };
}

export function parseVerifyOutput(text: string): Observations {
  const o = emptyObservations();
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    switch (f[0]) {
      case 'NOW':
        o.now = num(f[1]);
        break;
      case 'UNITS': {
        const uptime = num(f[3]);
        o.unitSamples.push({ at: num(f[1]), ...(Number.isFinite(uptime) ? { uptime } : {}), units: parseUnits(b64(f[2])) });
        break;
      }
      case 'SS':
        o.listeners = parseListeners(b64(f[1]));
        break;
      case 'PROCS':
        for (const record of b64(f[1]).split('\x1e')) {
          const [pid, user, name, commandLine, cgroup] = record.split('\x1f');
          if (!pid) continue;
          const proc = parseProcess(num(pid), user ?? '', name ?? '', commandLine ?? '', cgroup ?? '');
          o.processes[proc.pid] = proc;
        }
        break;
      case 'LIVE': {
        const state = f[1] === 'samples' || f[1] === 'starting' ? f[1] : 'none';
        o.live = { state, sinceStartSec: num(f[2]), etat: b64(f[3]) };
        break;
      }
      case 'GW': {
        const [code, bytes, seconds] = (f[2] ?? '').split(' ');
        o.gateway = { rc: num(f[1]), code: num(code), bytes: num(bytes), seconds: num(seconds), error: b64(f[3]).trim() };
        break;
      }
      case 'API':
        o.api = { rc: num(f[1]), code: num(f[2]) };
        break;
      case 'STAT':
        o.stat = { rc: num(f[1]), code: num(f[2]), body: b64(f[3]), error: b64(f[4]).trim() };
        break;
      case 'RESOLVE':
        if (f[1]) o.resolved[f[1]] = f[2] ?? '';
        break;
      case 'TLS':
        o.tls = { rc: num(f[1]), output: b64(f[2]) };
        break;
      case 'CERT':
        o.cert = b64(f[1]);
        break;
      case 'DLIVE':
        o.dlive = { rc: num(f[1]), ms: num(f[2]), error: b64(f[3]).trim() };
        break;
      case 'VIRT':
        o.virt = f[1] ?? '';
        break;
      case 'TIMEDATE':
        o.timedate = { properties: keyValues(b64(f[1])), syncFlag: f[2] === '1' };
        break;
      case 'NGINXT':
        o.nginxTest = { rc: num(f[1]), output: b64(f[2]) };
        break;
      case 'NGINXMOD':
        o.nginxModules = { rc: num(f[1]), output: b64(f[2]) };
        break;
      case 'FFMPEG':
        o.ffmpeg = { rc: num(f[1]), ms: num(f[2]), user: f[3] ?? '', encoder: f[4] ?? '', how: f[5] ?? '', log: b64(f[6]) };
        break;
      case 'END':
        o.complete = true;
        break;
      default:
        break;
    }
  }
  return o;
}

/** `Key=Value` lines (systemctl show, timedatectl show). */
export function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/**
 * A settle-only (or ffmpeg-only) answer laid over an earlier one: the sections it ran replace
 * theirs, unit samples accumulate (the restart counter is compared across the whole window).
 */
export function mergeObservations(base: Observations, later: Observations): Observations {
  const merged: Observations = { ...base, unitSamples: [...base.unitSamples, ...later.unitSamples], complete: base.complete && later.complete };
  const keys = ['listeners', 'gateway', 'api', 'stat', 'ffmpeg', 'live'] as const;
  for (const key of keys) {
    if (later[key] !== undefined) (merged as unknown as Record<string, unknown>)[key] = later[key];
  }
  if (later.listeners !== undefined) merged.processes = later.processes;
  return merged;
}
