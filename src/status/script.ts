// The one script a status refresh runs on a Pi (ONE round trip): the stack's units, the BTFS
// gateway and daemon, nginx-rtmp's /stat, the streamer's live state files, and the journal's recent errors.
// It reuses the verify step's sections, so both read the host the same way; it carries no
// secret (the journal's text is masked on the controller).
import { shq } from '../util/shell.js';
import { gatewaySection, PRELUDE, statSection, UNIT_PROPERTIES, unitsSection } from '../verify/script.js';
import type { StatusInput } from './types.js';

/** orbis.service's RuntimeDirectory (templates/orbis-service): the streamer's state files. */
export const STREAMER_RUNTIME_DIR = '/run/orbis';

/** Timestamps as unix seconds, to tell how long a unit has been in its state. */
const PROPERTIES = `${UNIT_PROPERTIES},ActiveEnterTimestamp,StateChangeTimestamp`;

/**
 * The journal lines that say something failed, newest last: errors (priority err or worse, as
 * the streamer logs its own), stunnel's LOG0-LOG3 lines (it logs to stderr: the journal sees
 * them as info), and systemd's "Failed with result" for a unit of the stack.
 */
function journalSection(units: string[]): string[] {
  const u = units.map((unit) => `-u ${shq(unit)}`).join(' ');
  const lines = [`j() { journalctl --no-pager -q -o json --output-fields=MESSAGE,PRIORITY,_SYSTEMD_UNIT,UNIT "$@" 2>/dev/null; }`];
  const stunnel = units.find((unit) => unit.startsWith('stunnel'));
  lines.push(
    '{',
    `  j -p err -n 5 ${u}`,
    ...(stunnel ? [`  j -n 400 -u ${shq(stunnel)} | grep -E '"MESSAGE":"LOG[0-3]\\[' | tail -n 5`] : []),
    `  j -p warning -n 50 ${u} | grep -F 'Failed with result' | tail -n 3`,
    `} > "$T/journal"`,
    `printf 'JOURNAL\\t%s\\n' "$(b64 < "$T/journal")"`,
  );
  return lines;
}

/**
 * The BTFS daemon as go-btfs tells it, in the journal of its current start only (the unit's
 * InvocationID): ready ("Daemon is ready", cmd/btfs/daemon.go) or waiting for funds ("cannot
 * continue until there is sufficient ... available on 0x…", settlement/swap/vault/init.go, a
 * full node), and the memory its cgroup holds (systemd's MemoryCurrent, bytes).
 */
function btfsSection(unit: string): string[] {
  return [
    `inv=$(systemctl show -p InvocationID --value ${shq(unit)} 2>/dev/null)`,
    `said=; if [ -n "$inv" ]; then said=$(journalctl --no-pager -q -o cat _SYSTEMD_INVOCATION_ID="$inv" 2>/dev/null | grep -E '^(Daemon is ready|cannot continue until there is sufficient)' | tail -n 1); fi`,
    `printf 'BTFS\t%s\t%s\n' "$(systemctl show -p MemoryCurrent --value ${shq(unit)} 2>/dev/null)" "$(printf %s "$said" | b64)"`,
  ];
}

export function buildStatusScript(input: StatusInput): string {
  const units = Object.values(input.units);
  const lines = [
    ...PRELUDE,
    ...unitsSection(input, PROPERTIES, '--timestamp=unix'),
    ...gatewaySection(input),
    ...statSection(input),
    ...btfsSection(input.units.btfs),
    `printf 'STREAMER\\t%s\\t%s\\n' "$(cat ${STREAMER_RUNTIME_DIR}/etat 2>/dev/null | b64)" "$(cat ${STREAMER_RUNTIME_DIR}/tour 2>/dev/null | b64)"`,
    ...journalSection(units),
    `printf 'END\\n'`,
  ];
  return lines.join('\n') + '\n';
}
