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
  }
  return units;
}
