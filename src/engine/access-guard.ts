// The safety net under a change that can lock orbis out (a `confirmAccess` role: sshd hardening),
// as deploy-rs's "magic rollback": BEFORE the change, the host saves every path the change may
// touch and arms a timer of its own (a transient systemd timer); the change goes live; orbis must
// then log in over a NEW connection and disarm the timer before it fires. If it cannot (the new
// configuration refuses it, the network is cut, orbis is killed), the timer puts the saved paths
// back and runs the handlers again (reload sshd): the host restores itself, with nobody logged in.
//
// Pure: plan in, scripts out; `guarded-run.ts` runs them. Confirmation and rollback take the same
// lock on the host, so exactly one of them wins, and the winner leaves its mark (`confirmed` or
// `rolled-back`, with the time) for the other and for a later look.
import { dirname } from 'node:path';
import { ORBIS_STATE_DIR } from '../facts/probe.js';
import type { Handler } from '../roles/desired.js';
import { shq } from '../util/shell.js';
import type { Plan } from './plan.js';

export const ACCESS_GUARD_DIR = `${ORBIS_STATE_DIR}/access-guard`;
/** Guard records kept for a later look (`ls /var/lib/orbis/access-guard`). */
const RECORDS_KEPT = 5;

export function guardDir(runId: string): string {
  return `${ACCESS_GUARD_DIR}/${runId}`;
}

/** The transient unit (timer + service) that undoes the change. */
export function guardUnit(runId: string): string {
  return `orbis-access-guard-${runId}`;
}

/** Every path the plan may write, link, create or remove: what a rollback puts back. */
export function guardedPaths(plan: Plan): string[] {
  const paths = new Set<string>();
  for (const change of plan.changes) {
    for (const action of change.actions) {
      if ('path' in action && typeof action.path === 'string') paths.add(action.path);
    }
  }
  return [...paths];
}

/**
 * What to run once the paths are back: the plan's handlers, as the change ran them, each command
 * once (two handlers reloading sshd would reload it twice, the second while it re-executes).
 */
export function restoreCommands(handlers: readonly Handler[]): string[] {
  const commands = handlers.map((h) => {
    if (h.command !== undefined) return `bash -c ${shq(h.command)}`;
    const unit = shq(h.unit ?? '');
    // A reload of a unit that is not running fails: bring it up instead.
    return h.action === 'reload' ? `systemctl reload ${unit} || systemctl restart ${unit}` : `systemctl ${h.action ?? 'restart'} ${unit}`;
  });
  return [...new Set(commands)];
}

export interface GuardSpec {
  runId: string;
  /** Seconds from arming until the host undoes the change by itself. */
  deadlineSec: number;
  paths: readonly string[];
  /** Run after the paths are back (restoreCommands). */
  afterRestore: readonly string[];
  /** Said in the host's journal and in the rollback record. */
  what: string;
}

function isUnitPath(path: string): boolean {
  return /^\/(etc|lib|usr\/lib)\/systemd\/system\//.test(path);
}

/** The script the timer runs: put every saved path back, then run the handlers again. */
export function buildRollbackScript(spec: GuardSpec): string {
  const dir = guardDir(spec.runId);
  const lines = [
    '#!/bin/bash',
    `# orbis access guard ${spec.runId}: ${spec.what.replace(/\n/g, ' ')}`,
    '# Runs when nobody confirmed the change in time: puts back what was there before it.',
    'set -u',
    `G=${shq(dir)}`,
    'exec 8>>"$G/lock"; flock 8',
    '[ -e "$G/confirmed" ] && exit 0',
    '[ -e "$G/rolled-back" ] && exit 0',
  ];
  spec.paths.forEach((path, i) => {
    const saved = `"$G/saved/${i}"`;
    lines.push(
      `rm -rf -- ${shq(path)}`,
      `if [ -e ${saved} ] || [ -L ${saved} ]; then mkdir -p -- ${shq(dirname(path))} && cp -a -- ${saved} ${shq(path)}; fi`,
    );
  });
  if (spec.paths.some(isUnitPath)) lines.push('systemctl daemon-reload');
  for (const command of spec.afterRestore) {
    lines.push(`( ${command} ) >/dev/null 2>&1 </dev/null || logger -t orbis -p auth.err ${shq(`access guard ${spec.runId}: after the rollback, \`${command}\` failed`)} 2>/dev/null || true`);
  }
  lines.push(
    'printf \'%s\\n\' "$(date +%s)" > "$G/rolled-back"',
    `logger -t orbis -p auth.warning ${shq(`access guard ${spec.runId}: nobody confirmed the change in time (${spec.what}); the previous configuration was restored`)} 2>/dev/null || true`,
    'exit 0',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Run as root before the change: save the paths, arm the timer. Prints `ARMED <epoch seconds>`
 * when the timer runs; the change must not start otherwise.
 */
export function buildArmScript(spec: GuardSpec): string {
  const dir = guardDir(spec.runId);
  const unit = guardUnit(spec.runId);
  const lines = [
    'set -euo pipefail',
    'umask 077',
    `G=${shq(dir)}`,
    `install -d -m 0700 ${shq(ORBIS_STATE_DIR)} ${shq(ACCESS_GUARD_DIR)}`,
    // Older records, beyond a few: their timers are long gone (transient units do not survive
    // their run), only the directories stay.
    `find ${shq(ACCESS_GUARD_DIR)} -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\\n' | sort -rn | tail -n +${RECORDS_KEPT} | cut -d' ' -f2- | xargs -r rm -rf --`,
    'rm -rf -- "$G"',
    'mkdir -m 0700 -- "$G" "$G/saved"',
  ];
  spec.paths.forEach((path, i) => {
    lines.push(`if [ -e ${shq(path)} ] || [ -L ${shq(path)} ]; then cp -a -- ${shq(path)} "$G/saved/${i}"; fi`);
  });
  lines.push(
    'cat > "$G/rollback" <<\'ORBIS_ROLLBACK_END\'',
    buildRollbackScript(spec).trimEnd(),
    'ORBIS_ROLLBACK_END',
    // AccuracySec: systemd would otherwise fire up to a minute late, to batch wake-ups.
    `systemd-run --quiet --unit=${shq(unit)} --on-active=${spec.deadlineSec}s --timer-property=AccuracySec=1s ` +
      `--description=${shq(`orbis: undo ${spec.what} unless confirmed`)} /bin/bash "$G/rollback"`,
    'printf \'%s\\n\' "$(date +%s)" > "$G/armed"',
    'printf \'ARMED %s\\n\' "$(cat "$G/armed")"',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Run as root over the NEW connection: mark the change confirmed and stop the timer, unless the
 * rollback already ran. Prints `CONFIRMED`, `ROLLED_BACK <epoch seconds>`, or `GONE` (no record).
 */
export function buildConfirmScript(runId: string): string {
  return [
    'set -u',
    `G=${shq(guardDir(runId))}`,
    '[ -d "$G" ] || { echo GONE; exit 0; }',
    'exec 8>>"$G/lock"; flock 8',
    'if [ -e "$G/rolled-back" ]; then printf \'ROLLED_BACK %s\\n\' "$(cat "$G/rolled-back")"; exit 0; fi',
    'printf \'%s\\n\' "$(date +%s)" > "$G/confirmed"',
    `systemctl stop ${shq(`${guardUnit(runId)}.timer`)} >/dev/null 2>&1 || true`,
    // The saved copies are the old configuration: no longer needed once the new one is confirmed.
    'rm -rf -- "$G/saved"',
    'echo CONFIRMED',
  ].join('\n') + '\n';
}

export type ConfirmAnswer = { kind: 'confirmed' } | { kind: 'rolled-back'; atEpochSec: number | undefined } | { kind: 'gone' } | { kind: 'unknown'; text: string };

export function parseConfirmAnswer(stdout: string): ConfirmAnswer {
  const line = stdout.trim().split('\n').pop() ?? '';
  if (line === 'CONFIRMED') return { kind: 'confirmed' };
  if (line === 'GONE') return { kind: 'gone' };
  const rolled = /^ROLLED_BACK(?: (\d+))?$/.exec(line);
  if (rolled) return { kind: 'rolled-back', atEpochSec: rolled[1] === undefined ? undefined : Number(rolled[1]) };
  return { kind: 'unknown', text: line };
}

export function parseArmAnswer(stdout: string): number | undefined {
  const match = /^ARMED (\d+)$/m.exec(stdout);
  return match ? Number(match[1]) : undefined;
}
