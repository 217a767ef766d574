// The one script a status refresh runs on a Pi (ONE round trip): the stack's units, the BTFS
// gateway and daemon, nginx-rtmp's /stat, the streamer's live state files, and the journal's
// recent errors. The shell is in src/pi/observe.sh (the looks the verify step makes too, so both
// read the host the same way) and src/pi/status.sh; it carries no secret (the journal's text is
// masked on the controller).
import { composeScript } from '../pi/scripts.js';
import { OBSERVE_FILES, observeVars, STREAMER_RUNTIME_DIR, UNIT_PROPERTIES } from '../verify/script.js';
import type { StatusInput } from './types.js';

export { STREAMER_RUNTIME_DIR };

/** Where orbis-cache.service keeps the next videos and its state (its CacheDirectory, /media). */
export const PREFETCH_CACHE_DIR = '/var/cache/orbis/media';

/** With timestamps as unix seconds (UNIT_FLAGS), to tell how long a unit has been in its state. */
const PROPERTIES = `${UNIT_PROPERTIES},ActiveEnterTimestamp,StateChangeTimestamp`;

export function buildStatusScript(input: StatusInput): string {
  const units = Object.values(input.units);
  return composeScript({
    vars: {
      ...observeVars(input, PROPERTIES, ['--timestamp=unix']),
      BTFS_UNIT: input.units.btfs,
      STUNNEL_UNIT: units.find((unit) => unit.startsWith('stunnel')) ?? '',
      STREAMER_DIR: STREAMER_RUNTIME_DIR,
      CACHE_DIR: PREFETCH_CACHE_DIR,
    },
    files: [...OBSERVE_FILES, 'status.sh'],
    main: ['observe_begin', 'units_sample', 'gateway_check', 'stat_check', 'btfs_said', 'streamer_state', 'journal_errors', 'observe_end'],
  });
}
