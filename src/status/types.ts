// What `orbis status` knows of a Pi at one instant (HostLive, the `hosts[]` of its JSON), and
// what it needs to look (StatusInput: the verify input, which names the units, ports and
// platforms from the settings, plus the relay's retry delay).
import type { Platform } from '../verify/checks/stream.js';
import type { SshConnectOptions } from '../transport/index.js';
import type { VerifyTarget } from '../verify/hosts.js';
import type { VerifyInput } from '../verify/types.js';

export type { Platform };

export interface StatusInput extends VerifyInput {
  /** NGINX_DELAI_RECONNEXION_PUSH: how often nginx-rtmp retries a dropped push. */
  pushReconnectSec: number;
}

/**
 * ok: publishing, every enabled platform connected, every unit active. degraded: publishing,
 * but a platform or a unit is not right. down: nothing is published. unreachable: no answer.
 * auth-failed: the host answered and refused the login (as in run reports).
 */
export type LiveStatus = 'ok' | 'degraded' | 'down' | 'unreachable' | 'auth-failed';

export interface PlatformLive {
  platform: Platform;
  /** connecting: nginx holds a push that is not live yet. */
  state: 'connected' | 'connecting' | 'disconnected';
  connectedForSec?: number;
  /** Frames nginx dropped for this push (it cannot keep up). */
  dropped?: number;
  /** nginx's client ids of the push(es): what `orbis reconnect` drops. */
  clientIds: number[];
}

export interface UnitLive {
  unit: string;
  active: string;
  sub: string;
  restarts: number;
  /** Seconds in the current state. */
  sinceSec?: number;
}

export interface HostLive {
  name: string;
  status: LiveStatus;
  /** Controller time of the answer (ISO 8601). */
  at: string;
  stream?: {
    publishing: boolean;
    publishingForSec?: number;
    /** What nginx receives from the streamer and sends to the platforms together, kbit/s. */
    inKbps?: number;
    outKbps?: number;
    /** Measured by the streamer over its last few seconds (absent when it has no fresh sample). */
    fps?: number;
    speed?: number;
    /** The playlist round being played, and its videos. */
    round?: number;
    videos?: number;
    /** What the streamer puts on air: a video of the playlist, or the slate (no video can be played). */
    onAir?: 'video' | 'slate';
    /** Seconds since it went on air. */
    onAirForSec?: number;
    /** The video on air: its place in the round and its URL. */
    item?: number;
    source?: string;
    /** Why the slate is on air. */
    slateReason?: string;
    /** The videos skipped in this round (newest last): which, why, how long ago. */
    skipped?: Array<{ source: string; why: string; agoSec: number }>;
  };
  platforms: PlatformLive[];
  units: UnitLive[];
  /** orbis.service: seconds since it (re)started, and automatic restarts since it was started. */
  uptimeSec?: number;
  restarts?: number;
  gateway?: 'up' | 'down';
  /**
   * The BTFS daemon: ready (it said so), waiting-for-funds (a full node whose address needs BTT
   * before it opens a gateway), starting, restarting (systemd brings it back, e.g. after its
   * memory limit), or stopped; its memory and its restarts since it was started.
   */
  btfs?: { state: 'ready' | 'waiting-for-funds' | 'starting' | 'restarting' | 'stopped'; fundingAddress?: string; memoryMiB?: number; restarts: number };
  /**
   * The prefetch cache: how many of the playlist's videos it holds of those that fit ahead, its
   * size and today's writes (MiB), and the first video it could not take and why. Absent when
   * the Pi has no cache service; `disabled` with CACHE_TAILLE_MAX_MIO=0.
   */
  cache?: { disabled: boolean; videos: number; ahead: number; cached: number; heldMiB: number; writtenTodayMiB: number; blocked?: string };
  lastError?: { unit: string; ageSec: number; message: string };
  /** What is wrong, causes first. */
  problems: string[];
  /** Round trips of this refresh (1 when connected already). */
  roundTrips: number;
  error?: { message: string; hint?: string };
}

export interface StatusReport {
  command: 'status';
  orbisVersion: string;
  at: string;
  hosts: HostLive[];
  summary: Record<LiveStatus, number> & { hosts: number };
}

/** The hosts `status` and `reconnect` look at, what each is checked against, how to reach them. */
export interface LiveHosts {
  hosts: VerifyTarget[];
  inputFor: (host: VerifyTarget) => StatusInput;
  connect: SshConnectOptions;
}
