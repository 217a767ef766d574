// The systemd units of the stack as the roles name them, and what orbis reads of a unit: one list
// for the facts, verify and status scripts, so that every command reads a unit the same way.

/** The stack's units, as the roles name them. */
export const STACK_UNITS = {
  nginx: 'nginx.service',
  btfs: 'btfs.service',
  orbis: 'orbis.service',
  stunnel: 'stunnel@kick.service',
} as const;

/** Properties read with `systemctl show` (facts, verify, status add their timestamps). */
export const UNIT_PROPERTIES = 'Id,LoadState,ActiveState,SubState,UnitFileState,NRestarts,Result,ExecMainStatus,ActiveEnterTimestampMonotonic';
