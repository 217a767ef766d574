// The render context a host's roles see: every setting by its own name (secrets stay Secret
// objects, so only {{secret X}} reveals them), the derived one-encode model, the enabled
// platforms, the variables roles declare themselves, and what the facts say about the host.
import { btfsDownload, ConfigError, type LoadedSettings, type Platform } from '../config/index.js';
import { decideEncoder, encoderArgs, encoderShapeArgs, videoRateArgs } from '../config/encoder-args.js';
import { readPlaylist } from '../config/playlist.js';
import type { HostFacts } from '../facts/types.js';

export interface RoleVariables {
  /** Values of the variables roles declare in `defaults:` (after env and --var overrides). */
  values: Record<string, string | number | boolean>;
}

export function renderContext(
  loaded: LoadedSettings,
  roleVariables: RoleVariables,
  facts: HostFacts | null,
  orbisVersion: string,
): Record<string, unknown> {
  const encoder = decideEncoder(loaded.encode, facts);
  const platforms: Record<Platform, boolean> = { dlive: false, kick: false };
  for (const p of loaded.platforms) platforms[p] = true;
  return {
    ...roleVariables.values,
    ...loaded.settings,
    platforms: { ...platforms, list: [...loaded.platforms] },
    encode: {
      ...loaded.encode,
      encoder: encoder.encoder,
      encoderReason: encoder.reason,
      encoderArgs: encoderArgs(loaded.encode, encoder.encoder),
      // orbis.conf (a restart) and lecture.conf (the next video) each hold their part.
      shapeArgs: encoderShapeArgs(loaded.encode, encoder.encoder),
      rateArgs: videoRateArgs(loaded.encode),
    },
    host: {
      arch: facts?.arch ?? 'unknown',
      piModel: facts?.piModel ?? null,
      hostname: facts?.hostname ?? 'unknown',
    },
    // The BTFS release depends on the host's architecture. A getter, so that only a role that
    // uses it fails when its checksum is missing, and the message says which setting to set.
    get btfs(): { url: string; sha256: string } {
      if (facts === null) return { url: '', sha256: '' }; // provisional render: paths only
      const download = btfsDownload(loaded.settings, facts.arch, loaded.origins);
      // A ConfigError: the renderer passes it through as the user's configuration problem.
      if (!download.ok) throw new ConfigError([download.issue]);
      return { url: download.url, sha256: download.sha256 };
    },
    // The videos to stream ({url, title} each): read from the controller's LISTE_LECTURE file only
    // by a role that uses it (app/prepare.ts checks it before any host is touched).
    get playlist() {
      return readPlaylist(loaded);
    },
    orbis: { version: orbisVersion },
  };
}
