// `systemctl show -p ... UNIT...` output: one blank-line-separated block of Key=Value per unit.

export interface UnitState {
  id: string;
  load: string;
  active: string;
  sub: string;
  enabled: string;
  restarts: number;
  result: string;
  exitStatus: string;
  /** Monotonic time the unit last became active: changes on every (re)start. */
  activeSince: string;
  /** Unix times (`systemctl show --timestamp=unix`, when asked for) it last became active, and entered its current state. */
  activeEnterUnix?: number;
  stateChangeUnix?: number;
}

/** `@1795534139` (--timestamp=unix); undefined when absent or empty (never happened). */
function unixTime(value: string | undefined): number | undefined {
  const m = /^@(\d+(?:\.\d+)?)$/.exec(value ?? '');
  return m ? Number(m[1]) : undefined;
}

export function parseUnits(text: string): Record<string, UnitState> {
  const units: Record<string, UnitState> = {};
  for (const block of text.split(/\n\s*\n/)) {
    const p: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) p[line.slice(0, eq)] = line.slice(eq + 1);
    }
    const id = p.Id;
    if (!id) continue;
    units[id] = {
      id,
      load: p.LoadState ?? '',
      active: p.ActiveState ?? '',
      sub: p.SubState ?? '',
      enabled: p.UnitFileState ?? '',
      restarts: Number(p.NRestarts ?? 0) || 0,
      result: p.Result ?? '',
      exitStatus: p.ExecMainStatus ?? '',
      activeSince: p.ActiveEnterTimestampMonotonic ?? '',
    };
    const activeEnter = unixTime(p.ActiveEnterTimestamp);
    const stateChange = unixTime(p.StateChangeTimestamp);
    if (activeEnter !== undefined) units[id].activeEnterUnix = activeEnter;
    if (stateChange !== undefined) units[id].stateChangeUnix = stateChange;
  }
  return units;
}
