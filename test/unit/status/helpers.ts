// Status answers for the unit tests, built from readable parts (the verify tests' recorded lab
// outputs: units, /stat), and the input of a default two-platform host.
import { loadSettings } from '../../../src/config/index.js';
import { verifyInputFrom } from '../../../src/verify/input.js';
import type { StatusInput } from '../../../src/status/types.js';
import { b64, DLIVE_KEY, fixture, KICK_KEY, unitsText } from '../verify/helpers.js';

export { b64, DLIVE_KEY, fixture, KICK_KEY, unitsText };

export const NOW = 1795535000;

export function statusInput(vars: string[] = []): StatusInput {
  const loaded = loadSettings({ env: { ORBIS_DLIVE_CLE_FLUX: DLIVE_KEY, ORBIS_KICK_CLE_FLUX: KICK_KEY }, vars });
  return { ...verifyInputFrom(loaded), pushReconnectSec: loaded.settings.NGINX_DELAI_RECONNEXION_PUSH };
}

/** A journalctl -o json line. */
export function journalLine(atSec: number, unit: string, message: string, priority = 6, fromSystemd = false): string {
  return JSON.stringify({
    __REALTIME_TIMESTAMP: String(Math.round(atSec * 1e6)),
    MESSAGE: message,
    PRIORITY: String(priority),
    _SYSTEMD_UNIT: fromSystemd ? 'init.scope' : unit,
    ...(fromSystemd ? { UNIT: unit } : {}),
  });
}

export interface StatusParts {
  now?: number;
  units?: string;
  gw?: string;
  stat?: [number, number, string];
  etat?: string;
  tour?: string;
  /** The prefetch cache's state file (absent: a Pi without the cache service). */
  cache?: string;
  journal?: string[];
  /** The BTFS line: MemoryCurrent and go-btfs's last word of its current start. */
  btfs?: [string, string];
  end?: boolean;
}

/** Counters of the streamer's publisher 5 s apart: 30 fps, real time. */
export const ETAT_OK = `at_us=${(NOW - 1) * 1e6} frames=3150 bytes=52000000 media_us=105000000\nat_us=${(NOW - 6) * 1e6} frames=3000 bytes=49500000 media_us=100000000\n`;

export function statusOutput(p: StatusParts = {}): string {
  const now = p.now ?? NOW;
  const [src, code, body] = p.stat ?? [0, 200, fixture('stat-lab.xml')];
  const lines = [
    `NOW\t${now}`,
    `UNITS\t${now}\t${b64(p.units ?? unitsText())}`,
    `GW\t${p.gw ?? '0\t206 512 0.001\t'}`,
    'API\t0\t401',
    `STAT\t${src}\t${code}\t${b64(body)}\t`,
    `STREAMER\t${b64(p.etat ?? ETAT_OK)}\t${b64(p.tour ?? `round=7\nstarted=${(NOW - 3) * 1e6}\nvideos=2\n`)}\t${b64(p.cache ?? '')}`,
    `JOURNAL\t${b64((p.journal ?? []).join('\n'))}`,
    `BTFS\t${(p.btfs ?? ['94371840', 'Daemon is ready'])[0]}\t${b64((p.btfs ?? ['', 'Daemon is ready'])[1])}`,
  ];
  if (p.end !== false) lines.push('END');
  return lines.join('\n') + '\n';
}
