// What the verify step needs to know about a host (VerifyInput, built from the settings by
// input.ts), how hard to look (VerifyOptions), and what it answers (VerifyResult, the
// `hosts[].verify[]` of the JSON report).
import type { Secret } from '../redact/secret.js';
import type { VerifyResult } from '../report/result.js';

export type { VerifyResult };
export type VerifyStatus = VerifyResult['status'];

/** A TCP endpoint a service of the stack listens on. */
export interface Endpoint {
  address: string;
  port: number;
}

/** The systemd units of the stack (the stunnel one only when Kick is on). */
export interface StackUnits {
  nginx: string;
  btfs: string;
  orbis: string;
  stunnel?: string;
}

/**
 * What the verify step checks a host against. Plain data: derived from the settings and the
 * encoder choice (see `verifyInputFrom`); the stream keys only as Secrets, to mask them in
 * anything that comes back from the host.
 */
export interface VerifyInput {
  units: StackUnits;
  /** nginx-rtmp, where FFmpeg publishes; `application` is NGINX_CHEMIN_APPLICATION. */
  rtmp: Endpoint & { application: string };
  /** The nginx statistics server (/stat). */
  stats: Endpoint;
  /** DLive's ingest, when DLive is on. */
  dlive?: { host: string; port: number; application: string };
  /** Kick, when on: the TLS ingest and stunnel's local accept port on 127.0.0.1. */
  kick?: { host: string; port: number; application: string; stunnelPort: number };
  btfs: {
    /** Base URL of the gateway, without a trailing slash: a video is `<url>/<cid>`. */
    gatewayUrl: string;
    gatewayPort: number;
    apiPort: number;
    swarmPort: number;
    /** BTFS_ESSAIM_EXPOSE: the swarm may listen on every interface. */
    swarmExposed: boolean;
    testCid: string;
  };
  /** The FFmpeg null-output test: the streamer's encode, reading the test CID. */
  encode: {
    width: number;
    height: number;
    fps: number;
    audioKbps: number;
    /**
     * The encoder and its FFmpeg arguments. `null` (standalone `orbis verify` with
     * ENCODEUR_VIDEO=auto): use what the host was provisioned with (/etc/orbis/encodeur.env),
     * choosing between the precomputed `candidates`.
     */
    encoder: { name: string; args: string } | null;
    candidates: Record<string, string>;
  };
  /** The unprivileged user the FFmpeg test runs as (falls back to `nobody` when absent). */
  ffmpegUser: string;
  /** Every stream key: masked in every value and hint. */
  secrets: readonly Secret[];
}

export interface VerifyOptions {
  /** How long settle checks (listeners, units, gateway, /stat) are retried; default 60. */
  retryTimeoutSec?: number;
  /** Seconds between two retries of the settle checks; default 2. */
  retryIntervalSec?: number;
  /** The FFmpeg test fails below this speed; default 1.2. */
  minSpeed?: number;
  /** Seconds of media the FFmpeg test encodes; default 10. */
  seconds?: number;
  /**
   * Run the FFmpeg test encode even on a Pi that streams (it then competes with the live
   * encoder for CPU); default false: the live streamer's own speed is read instead.
   */
  encodeOnAir?: boolean;
  /**
   * Report only these checks (the `check:` names the applied roles list in `verify:`), e.g. for
   * `provision --roles btfs`. Checks no role owns (clock, reach.dlive, stream.push.unexpected)
   * are always reported; unknown names are ignored. Default: every check.
   */
  checks?: readonly string[];
  /** Progress messages (e.g. for the listr2 task output). */
  progress?: (message: string) => void;
}

export const DEFAULT_VERIFY_OPTIONS = {
  retryTimeoutSec: 60,
  retryIntervalSec: 2,
  minSpeed: 1.2,
  encodeOnAir: false,
  seconds: 10,
} as const;
