// The verify step's remote scripts. A round trip is the unit of cost, so ONE bash script run
// as root asks the host everything at once (like facts/probe.ts) and prints tagged,
// tab-separated lines that parse.ts reads back. The shell is in src/pi/observe.sh (the looks
// status shares) and src/pi/verify.sh; this module gives them their inputs and says which
// checks a script makes. Three variants of the same checks:
//   full:   every check (the first round trip): the looks that wait on something else (DNS, TLS
//           to Kick, nginx -t, the gateway) side by side, then the FFmpeg test, or on a Pi that
//           streams, the live streamer's own speed (no second encode on air);
//   settle: only what needs the system to settle (units, listeners, gateway, /stat, the
//           streamer's first samples), retried;
//   ffmpeg: the FFmpeg test encode, when its input (the gateway) only settled later, or the
//           streamer never gave its speed.
// The scripts carry no secret: they never need a stream key.
import { composeScript, type ShellValue } from '../pi/scripts.js';
import { UNIT_PROPERTIES } from '../pi/units.js';
import type { VerifyInput } from './types.js';

export type ScriptKind = 'full' | 'settle' | 'ffmpeg';

export interface ScriptOptions {
  seconds: number;
  minSpeed: number;
  /** Run the FFmpeg test in the full script (default true). */
  ffmpeg?: boolean;
  /** The full script encodes even on a Pi that streams (default false: the live speed is read). */
  encodeOnAir?: boolean;
}

export { UNIT_PROPERTIES };

/** Where role ffmpeg writes the encoder a host was provisioned with (ENCODEUR_VIDEO=...). */
export const ENCODER_ENV_PATH = '/etc/orbis/encodeur.env';

/** orbis.service's RuntimeDirectory (templates/orbis-service): the streamer's state files. */
export const STREAMER_RUNTIME_DIR = '/run/orbis';

/** What the streamer runs from (roles/orbis-service): its settings and its script. */
export const STREAMER_FILES = ['/etc/orbis/orbis.conf', '/usr/local/bin/orbis-diffuser'] as const;

/** A streamer started less than this ago is waited for (its first samples come 5 s apart). */
export const LIVE_WAIT_SEC = 20;

/** A streamer progress sample older than this (3 of its 5 s periods) is stale: the stream stalled. */
export const LIVE_FRESH_SEC = 15;

/** The files every observing script starts with (observe.sh's functions need common.sh's). */
export const OBSERVE_FILES = ['common.sh', 'observe.sh'] as const;

/** Seconds the FFmpeg test may take: twice what the slowest passing speed needs, plus start-up. */
export function ffmpegTimeLimitSec(options: ScriptOptions): number {
  return Math.ceil((2 * options.seconds) / Math.max(options.minSpeed, 0.1)) + 20;
}

/** The exec timeout for a script (the remote `timeout` around the whole of it). */
export function scriptTimeoutSec(kind: ScriptKind, options: ScriptOptions): number {
  return kind === 'settle' ? 60 : ffmpegTimeLimitSec(options) + 90;
}

/** The test CID through the gateway (the gateway check and the FFmpeg test read it). */
function testCidUrl(input: Pick<VerifyInput, 'btfs'>): string {
  return `${input.btfs.gatewayUrl}/${input.btfs.testCid}`;
}

/**
 * observe.sh's inputs: the units (the properties asked, `flags`: more `systemctl show` options,
 * e.g. `--timestamp=unix`), the gateway, the API and /stat.
 */
export function observeVars(input: Pick<VerifyInput, 'units' | 'btfs' | 'stats'>, properties = UNIT_PROPERTIES, flags: readonly string[] = []): Record<string, ShellValue> {
  // A wildcard listen address is reached on loopback.
  const statAddress = input.stats.address === '0.0.0.0' ? '127.0.0.1' : input.stats.address;
  return {
    UNITS: Object.values(input.units),
    UNIT_PROPERTIES: properties,
    UNIT_FLAGS: flags,
    GATEWAY_URL: testCidUrl(input),
    BTFS_API_URL: `http://127.0.0.1:${input.btfs.apiPort}/api/v1/id`,
    STAT_URL: `http://${statAddress}:${input.stats.port}/stat`,
  };
}

/** verify.sh's inputs for the FFmpeg test. */
function ffmpegVars(input: VerifyInput, options: ScriptOptions, encoderEnv: string): Record<string, ShellValue> {
  const e = input.encode;
  const candidates = Object.entries(e.candidates);
  return {
    FFMPEG_USER: input.ffmpegUser,
    MEDIA_URL: testCidUrl(input),
    MEDIA_SECONDS: options.seconds,
    FFMPEG_LIMIT: ffmpegTimeLimitSec(options),
    WIDTH: e.width,
    HEIGHT: e.height,
    FPS: e.fps,
    AUDIO_KBPS: e.audioKbps,
    ENCODER: e.encoder?.name ?? '',
    ENCODER_ARGS: e.encoder?.args ?? '',
    ENCODER_ENV: encoderEnv,
    CANDIDATES: candidates.map(([name]) => name),
    CANDIDATE_ARGS: candidates.map(([, args]) => args),
  };
}

/** streamer_live's inputs (verify.sh). */
function liveVars(input: VerifyInput, live: boolean): Record<string, ShellValue> {
  return {
    FFMPEG_LIVE: live ? 1 : 0,
    STREAMER_UNIT: input.units.orbis,
    STREAMER_DIR: STREAMER_RUNTIME_DIR,
    STREAMER_FILES: [...STREAMER_FILES],
    LIVE_WAIT_SEC,
    LIVE_FRESH_SEC,
  };
}

/**
 * The script of one kind. Pure: the same input gives the same script. `encoderEnv`: where the
 * host keeps its provisioned encoder (a test points it elsewhere).
 */
export function buildVerifyScript(input: VerifyInput, kind: ScriptKind, options: ScriptOptions, encoderEnv = ENCODER_ENV_PATH): string {
  const vars: Record<string, ShellValue> = { ...observeVars(input) };
  const main = ['observe_begin'];
  const encode = kind === 'ffmpeg' || (kind === 'full' && options.ffmpeg !== false);
  const watchLive = kind === 'settle' && options.ffmpeg !== false;
  if (kind !== 'ffmpeg') main.push('units_sample');
  const looks = kind === 'ffmpeg' ? [] : ['listeners', 'gateway_check', 'stat_check'];
  if (kind === 'full') {
    looks.push('clock_check', 'nginx_check');
    if (input.kick) {
      Object.assign(vars, { KICK_HOST: input.kick.host, KICK_PORT: input.kick.port });
      looks.push('kick_tls');
    }
    if (input.dlive) {
      Object.assign(vars, { DLIVE_HOST: input.dlive.host, DLIVE_PORT: input.dlive.port });
      looks.push('dlive_tcp');
    }
  }
  if (looks.length > 0) main.push(`in_parallel ${looks.join(' ')}`);
  if (encode) {
    // The full script reads the live streamer first; the ffmpeg one is asked for an encode.
    Object.assign(vars, ffmpegVars(input, options, encoderEnv), liveVars(input, kind === 'full' && options.encodeOnAir !== true));
    main.push('ffmpeg_test');
  }
  if (watchLive) {
    Object.assign(vars, liveVars(input, true));
    main.push('streamer_live');
  }
  // A second sample of the units after the FFmpeg test: a restart counter that moved in
  // between is a unit crash-looping.
  if (kind === 'full') main.push('units_sample');
  main.push('observe_end');
  return composeScript({ vars, files: [...OBSERVE_FILES, 'verify.sh'], main });
}
