// Settings -> VerifyInput: the one place that reads orbis.conf names for the verify step, so
// the checks test exactly what the roles were told to build (one setting drives every file
// and every check: upstream-orbis.md §6.6).
import { SECRET_SETTING_NAMES, isSecret, type LoadedSettings, type Secret } from '../config/index.js';
import { encoderArgs } from '../config/encoder-args.js';
import { STACK_UNITS } from '../pi/units.js';
import type { VerifyInput } from './types.js';

export { STACK_UNITS };

/** The user the streamer runs as (role orbis-service): the FFmpeg test runs with its rights. */
export const STREAMER_USER = 'orbis';

/** The encoders `auto` may resolve to; their arguments are precomputed for a host-side choice. */
const ENCODERS = ['libx264', 'h264_v4l2m2m'] as const;

export interface VerifyInputOptions {
  /**
   * The encoder decided for this host (config/encoder-args.ts `decideEncoder(...).encoder`). Omit it
   * when verifying without facts: an explicit ENCODEUR_VIDEO is used as is, and `auto` takes
   * what the host was provisioned with.
   */
  encoder?: string;
}

function rtmpParts(url: string): { host: string; port: number; application: string } {
  // DLIVE_SERVEUR is validated as rtmp://host[:port]/app.
  const m = /^rtmp:\/\/([^/:]+)(?::(\d+))?\/([^/]+)/.exec(url);
  return { host: m?.[1] ?? '', port: Number(m?.[2] ?? 1935), application: m?.[3] ?? '' };
}

export function verifyInputFrom(loaded: LoadedSettings, options: VerifyInputOptions = {}): VerifyInput {
  const s = loaded.settings;
  const kickOn = loaded.platforms.includes('kick');
  const dliveOn = loaded.platforms.includes('dlive');
  const chosen = options.encoder ?? (s.ENCODEUR_VIDEO === 'auto' ? undefined : s.ENCODEUR_VIDEO);
  const candidates = Object.fromEntries(ENCODERS.map((e) => [e, encoderArgs(loaded.encode, e)]));
  const secrets = SECRET_SETTING_NAMES.map((name) => s[name]).filter((v): v is Secret => isSecret(v) && !v.isEmpty);
  return {
    units: { nginx: STACK_UNITS.nginx, btfs: STACK_UNITS.btfs, orbis: STACK_UNITS.orbis, ...(kickOn ? { stunnel: STACK_UNITS.stunnel } : {}) },
    rtmp: { address: s.NGINX_ADRESSE_RTMP, port: s.NGINX_PORT_RTMP, application: s.NGINX_CHEMIN_APPLICATION },
    stats: { address: s.NGINX_ADRESSE_STATS, port: s.NGINX_PORT_STATS },
    ...(dliveOn ? { dlive: rtmpParts(s.DLIVE_SERVEUR) } : {}),
    ...(kickOn
      ? { kick: { host: s.KICK_SERVEUR_REEL, port: s.KICK_PORT_REEL, application: s.KICK_CHEMIN.replace(/^\//, ''), stunnelPort: s.STUNNEL_PORT_LOCAL } }
      : {}),
    btfs: {
      gatewayUrl: s.BTFS_PASSERELLE.replace(/\/+$/, ''),
      gatewayPort: s.BTFS_PORT_PASSERELLE,
      apiPort: s.BTFS_PORT_API,
      swarmPort: s.BTFS_PORT_ESSAIM,
      swarmExposed: s.BTFS_ESSAIM_EXPOSE,
      testCid: s.BTFS_HASH_TEST,
    },
    encode: {
      width: loaded.encode.width,
      height: loaded.encode.height,
      fps: loaded.encode.fps,
      audioKbps: loaded.encode.audioBitrateKbps,
      encoder: chosen === undefined ? null : { name: chosen, args: encoderArgs(loaded.encode, chosen) },
      candidates,
    },
    ffmpegUser: STREAMER_USER,
    secrets,
  };
}
