// Commands, the escape hatch: run unless a guard says the work is done.
//
// - `creates` exists on the host, or an earlier step creates it  -> skip
// - `unless` guard exited 0 when the probe ran it                -> skip
// - otherwise                                                    -> command
// The probe runs guards before any change, so a guard that an earlier step of the same plan would
// turn true (`unless: btfs version` after the download of btfs) is carried in the action too: the
// engine evaluates it again right before the command, as Ansible does per task.
// A guard the probe did not run is treated as failed (the command runs), with an assumption.
import { maskSecrets } from '../redact/secret.js';
import { cannotPlan, changeOf, principalReadiness } from './common.js';
import type { Action, DesiredCommand, PlanFn } from './types.js';

const SUMMARY_WIDTH = 72;

export const planCommand: PlanFn<DesiredCommand> = (desired, facts, context) => {
  const { creates, unless, user } = desired;
  if (creates !== undefined && (facts.paths[creates]?.exists === true || context.pathsToCreate.has(creates))) return [];
  const guard = unless === undefined ? undefined : facts.guards[unless];
  if (guard === true) return [];

  const readiness = principalReadiness('user', user === undefined ? [] : [user], facts, context);
  if (readiness.errors.length > 0) return [cannotPlan(desired, readiness.errors)];
  const assumptions = [...readiness.assumptions];
  const oneLine = (text: string): string => firstLineShortened(maskSecrets(text, desired.secretValues ?? []));
  if (unless !== undefined && guard === undefined) {
    assumptions.push(`assumes guard \`${oneLine(unless)}\` fails (the facts probe did not run it)`);
  }

  const action: Action = { op: 'command', command: desired.command };
  if (user !== undefined) action.user = user;
  if (creates !== undefined) action.creates = creates;
  if (unless !== undefined) action.unless = unless;
  const as = user !== undefined ? ` as ${user}` : '';
  return [changeOf(desired, `run${as}: ${oneLine(desired.command)}`, [action], { assumptions })];
};

/**
 * First line of a script, shortened: a summary is one line, the command itself is in the action.
 * Secrets are masked BEFORE shortening: a cut secret would no longer be recognised by masking.
 */
function firstLineShortened(command: string): string {
  const lines = command.trim().split('\n');
  const first = lines[0] ?? '';
  const more = lines.length > 1 ? ' ...' : '';
  return first.length > SUMMARY_WIDTH ? `${first.slice(0, SUMMARY_WIDTH - 3)}...` : `${first}${more}`;
}
