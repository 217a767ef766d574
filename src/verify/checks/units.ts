// Units: each unit of the stack active and enabled, and not crash-looping. systemd's restart
// counter (NRestarts) is sampled at the start and the end of the first round trip and at each
// retry: a counter that moves while verify watches is a restart loop, even when a sample
// happens to catch the unit "active" between two crashes. A unit up for UNIT_SETTLED_SEC already
// has settled and answers at once; one (re)started more recently is watched until it has been
// up that long (a retry), as one that crashes at start does so within it.
import type { UnitSample } from '../parse/output.js';
import type { UnitState } from '../parse/units.js';
import type { StackUnits } from '../types.js';
import { CHECK, fail, pass, warn, type Outcome } from './outcome.js';

/** Restarts seen during the window from which a unit counts as looping. */
export const RESTART_LOOP_THRESHOLD = 2;

/** Seconds up from which a unit has settled (no waiting for it). */
export const UNIT_SETTLED_SEC = 3;

const ENABLED = new Set(['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated']);

const NAMES: Record<keyof StackUnits, string> = {
  nginx: CHECK.unitNginx,
  stunnel: CHECK.unitStunnel,
  btfs: CHECK.unitBtfs,
  orbis: CHECK.unitOrbis,
};

/** A unit failure that follows from another unit being down (orbis is ordered after all of them). */
function upstreamOf(key: keyof StackUnits, units: StackUnits): string[] {
  if (key !== 'orbis') return [];
  return (Object.keys(units) as Array<keyof StackUnits>).filter((k) => k !== 'orbis').map((k) => NAMES[k]);
}

function seconds(s: number): string {
  return `${s.toFixed(1)} s`;
}

export function unitCheck(key: keyof StackUnits, units: StackUnits, samples: UnitSample[]): Outcome {
  const unit = units[key] ?? '';
  const name = NAMES[key];
  const seen = samples.map((s) => ({ at: s.at, uptime: s.uptime, state: s.units[unit] })).filter((s): s is { at: number; uptime: number | undefined; state: UnitState } => s.state !== undefined);
  const first = seen[0];
  const last = seen[seen.length - 1];
  if (!first || !last) return fail(name, `${unit}: no answer from systemctl`, 'is systemd running on the host? (`systemctl is-system-running`)', { settle: true });
  const s = last.state;
  const journal = `journalctl -u ${unit} -n 50`;
  if (s.load === 'not-found') return fail(name, `${unit}: not installed`, `provision the host (orbis provision) to install ${unit}`, { settle: true });
  const restarts = s.restarts - first.state.restarts;
  const window = last.at - first.at;
  // auto-restart: crashed and waiting to be started again; start-limit-hit: systemd gave up.
  const looping = restarts >= RESTART_LOOP_THRESHOLD || s.sub === 'auto-restart' || s.result === 'start-limit-hit';
  if (looping) {
    return fail(
      name,
      `${unit}: restart loop (${s.active}/${s.sub}, ${restarts} restart${restarts === 1 ? '' : 's'} in ${seconds(window)}, ${s.restarts} since started${s.result && s.result !== 'success' ? `, last result ${s.result}, exit status ${s.exitStatus}` : ''})`,
      s.result === 'start-limit-hit'
        ? `it crashed until systemd gave up: see why with \`${journal}\`, fix it, then \`systemctl reset-failed ${unit}; systemctl start ${unit}\``
        : `it keeps crashing and systemd keeps restarting it: see why with \`${journal}\``,
      { settle: true, needs: upstreamOf(key, units) },
    );
  }
  if (s.active !== 'active') {
    const why = s.result && s.result !== 'success' ? `, result ${s.result}, exit status ${s.exitStatus}` : '';
    return fail(name, `${unit}: ${s.active} (${s.sub})${why}`, `start it with \`systemctl start ${unit}\` and see why it stopped with \`${journal}\``, {
      settle: true,
      needs: upstreamOf(key, units),
    });
  }
  if (!ENABLED.has(s.enabled)) {
    return fail(name, `${unit}: active but ${s.enabled || 'not enabled'}`, `it will not start at boot: \`systemctl enable ${unit}\` (orbis provision does it)`, { settle: true });
  }
  const history = s.restarts > 0 ? `, ${s.restarts} automatic restart${s.restarts === 1 ? '' : 's'} since started` : '';
  const up = upFor(last.uptime, s.activeSince);
  if (up !== undefined && up < UNIT_SETTLED_SEC) {
    return fail(name, `${unit}: active for ${seconds(up)} only: watching that it stays up`, `it just (re)started; if this stays, see \`${journal}\``, { settle: true, needs: upstreamOf(key, units) });
  }
  if (restarts > 0) {
    return warn(name, `${unit}: active, enabled, restarted ${restarts} time during ${seconds(window)} of watching${history}`, `it restarted while verify watched: see \`${journal}\``, true);
  }
  return pass(name, `${unit}: active, enabled, ${up === undefined ? `no restart in ${seconds(window)}` : `up for ${duration(up)}`}${history}`, true);
}

/** Seconds a unit has been active: the host's monotonic clock minus when it became active. */
function upFor(uptime: number | undefined, activeSince: string): number | undefined {
  const since = Number(activeSince);
  if (uptime === undefined || activeSince === '' || !Number.isFinite(since) || since <= 0) return undefined;
  return Math.max(0, uptime - since / 1e6);
}

function duration(s: number): string {
  if (s < 120) return seconds(s);
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} days`;
}

export function unitChecks(units: StackUnits, samples: UnitSample[]): Outcome[] {
  return (Object.keys(NAMES) as Array<keyof StackUnits>).filter((k) => units[k] !== undefined).map((k) => unitCheck(k, units, samples));
}
