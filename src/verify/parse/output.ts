// The verify script's tagged lines -> Observations: what the host said, not yet judged. Each
// field stays undefined when its section did not run or did not answer, so a check can tell
// "not asked" from "asked and failed". Unknown tags are ignored (a newer script, an older parser).
import { decodeRecords, type DecodedRecord } from '../../wire/records.js';
import { VERIFY_RECORDS } from '../../wire/verify.js';
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
  /** Its `tour` file (what is on air: a video or the slate, and why) when state is samples. */
  tour: string;
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

/** A number printed inside a word (curl's `%{http_code}`: 000 when nothing answered). */
function num(value: string | undefined): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : NaN;
}

export function emptyObservations(): Observations {
  return { unitSamples: [], processes: {}, resolved: {}, complete: false };
}

/** The verify script's records (src/wire/verify.ts) -> Observations. A malformed record throws. */
export function parseVerifyOutput(output: string): Observations {
  return observationsOf(decodeRecords(output, VERIFY_RECORDS, 'verify script'));
}

/** Decoded records -> Observations (the status script's observe.sh records come here too). */
export function observationsOf(records: Iterable<DecodedRecord<typeof VERIFY_RECORDS>>): Observations {
  const o = emptyObservations();
  for (const r of records) {
    switch (r.tag) {
      case 'NOW':
        o.now = r.at;
        break;
      case 'UNITS':
        o.unitSamples.push({ at: r.at, ...(r.uptime === undefined ? {} : { uptime: r.uptime }), units: parseUnits(r.show) });
        break;
      case 'SS':
        o.listeners = parseListeners(r.output);
        break;
      case 'PROCS':
        for (const record of r.records.split('\x1e')) {
          const [pid, user, name, commandLine, cgroup] = record.split('\x1f');
          if (!pid) continue;
          const proc = parseProcess(num(pid), user ?? '', name ?? '', commandLine ?? '', cgroup ?? '');
          o.processes[proc.pid] = proc;
        }
        break;
      case 'LIVE': {
        const state = r.state === 'samples' || r.state === 'starting' ? r.state : 'none';
        o.live = { state, sinceStartSec: r.sinceStartSec, etat: r.etat ?? '', tour: r.tour ?? '' };
        break;
      }
      case 'GW': {
        const [code, bytes, seconds] = (r.written ?? '').split(' ');
        o.gateway = { rc: r.rc, code: num(code), bytes: num(bytes), seconds: num(seconds), error: (r.error ?? '').trim() };
        break;
      }
      case 'API':
        o.api = { rc: r.rc, code: num(r.code) };
        break;
      case 'STAT':
        o.stat = { rc: r.rc, code: num(r.code), body: r.body ?? '', error: (r.error ?? '').trim() };
        break;
      case 'RESOLVE':
        if (r.host) o.resolved[r.host] = r.address ?? '';
        break;
      case 'TLS':
        o.tls = { rc: r.rc, output: r.output ?? '' };
        break;
      case 'CERT':
        o.cert = r.pem;
        break;
      case 'DLIVE':
        o.dlive = { rc: r.rc, ms: r.ms, error: r.error.trim() };
        break;
      case 'VIRT':
        o.virt = r.name;
        break;
      case 'TIMEDATE':
        o.timedate = { properties: keyValues(r.show), syncFlag: r.synced };
        break;
      case 'NGINXT':
        o.nginxTest = { rc: r.rc, output: r.output ?? '' };
        break;
      case 'NGINXMOD':
        o.nginxModules = { rc: r.rc, output: r.output ?? '' };
        break;
      case 'FFMPEG':
        o.ffmpeg = { rc: r.rc, ms: r.ms, user: r.user, encoder: r.encoder, how: r.how, log: r.log ?? '' };
        break;
      case 'END':
        o.complete = true;
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
