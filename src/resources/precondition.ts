// Preconditions: a shell test that must hold before anything on the host changes. The facts probe
// runs it (as a guard, in the same round trip); when it fails the plan carries an error, so the
// engine refuses the host before the apply script exists: nothing is installed, written or
// restarted. For what no later step could repair, e.g. a BTFS repo asked to change chain id.
import { cannotPlan } from './common.js';
import type { DesiredPrecondition, PlanFn } from './types.js';

export const planPrecondition: PlanFn<DesiredPrecondition> = (desired, facts) => {
  const held = facts.guards[desired.check];
  if (held === true) return [];
  if (held === undefined) return [cannotPlan(desired, `precondition "${desired.id.name}" was not checked on the host; nothing was changed`)];
  // `{said}` in the message is what the check printed (nothing when it printed nothing).
  const said = facts.guardsSaid?.[desired.check] ?? '';
  return [cannotPlan(desired, desired.message.replaceAll('{said}', said || 'unknown'))];
};
