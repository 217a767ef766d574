// A check's verdict before the final pass: the VerifyResult plus what the runner needs to know
// (whether retrying can help, and which checks a failure may merely be a consequence of).
import type { VerifyResult } from '../types.js';

/** Stable check names: the `name` of each hosts[].verify[] entry. */
export const CHECK = {
  clock: 'clock',
  unitNginx: 'unit.nginx',
  unitStunnel: 'unit.stunnel',
  unitBtfs: 'unit.btfs',
  unitOrbis: 'unit.orbis',
  listenRtmp: 'listen.rtmp',
  listenStats: 'listen.stats',
  listenStunnel: 'listen.stunnel',
  listenGateway: 'listen.btfs-gateway',
  exposure: 'listen.exposure',
  nginxConfig: 'nginx.config',
  nginxModule: 'nginx.rtmp-module',
  nginxStat: 'nginx.stat',
  btfsGateway: 'btfs.gateway',
  ffmpeg: 'ffmpeg.speed',
  tlsKick: 'tls.kick',
  reachDlive: 'reach.dlive',
  publisher: 'stream.publisher',
  pushDlive: 'stream.push.dlive',
  pushKick: 'stream.push.kick',
  pushUnexpected: 'stream.push.unexpected',
  script: 'verify.script',
} as const;

export type CheckName = (typeof CHECK)[keyof typeof CHECK];

/** Checks no role lists (they concern the Pi or the platforms, not one role's work): always reported. */
export const UNOWNED_CHECKS: readonly string[] = [CHECK.clock, CHECK.reachDlive, CHECK.pushUnexpected, CHECK.script];

/** The filter for VerifyOptions.checks. */
export function selectChecks(checks: readonly string[] | undefined): (name: string) => boolean {
  if (checks === undefined) return () => true;
  const wanted = new Set([...checks, ...UNOWNED_CHECKS]);
  return (name) => wanted.has(name);
}

export interface Outcome extends VerifyResult {
  /** Needs the system to settle (a unit starting, a daemon getting ready): retried. */
  settle: boolean;
  /**
   * Checks whose failure explains this one's (BTFS down -> no gateway -> no FFmpeg input): when
   * one of them failed, this failure is reported as a consequence, not as a fault of its own.
   */
  needs?: string[];
  /** This failure is a cause in its own right (another process holds the port), never a consequence. */
  cause?: boolean;
}

export function pass(name: string, value: string, settle = false): Outcome {
  return { name, status: 'pass', value, settle };
}

export function warn(name: string, value: string, hint: string, settle = false): Outcome {
  return { name, status: 'warn', value, hint, settle };
}

export function fail(name: string, value: string, hint: string, extra: Partial<Pick<Outcome, 'settle' | 'needs' | 'cause'>> = {}): Outcome {
  return { name, status: 'fail', value, hint, settle: extra.settle ?? false, ...(extra.needs ? { needs: extra.needs } : {}), ...(extra.cause ? { cause: true } : {}) };
}
