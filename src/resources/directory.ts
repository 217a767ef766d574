// Directories: created with their mode and owner, and kept that way. Only the directory itself is
// managed, not what is inside it (no recursive chown: a data directory can hold gigabytes).
//
// - missing               -> mkdir (with parents, as `mkdir -p`)
// - mode/owner drift      -> chmod / chown
// - something else there  -> cannot be planned; a symlink to a directory included, since orbis
//                            would otherwise manage the mode of wherever the link points
import { attributeDrift, cannotPlan, changeOf, describePath, ownerReadiness } from './common.js';
import type { DesiredDirectory, PlanFn } from './types.js';

export const planDirectory: PlanFn<DesiredDirectory> = (desired, facts, context) => {
  const fact = facts.paths[desired.path];
  if (fact?.exists === true && fact.type !== 'directory') {
    return [
      cannotPlan(desired, `${desired.path} is ${describePath(fact)} on the host, not a directory; move it away by hand`),
    ];
  }
  const readiness = ownerReadiness(desired, facts, context);
  if (readiness.errors.length > 0) return [cannotPlan(desired, readiness.errors)];

  if (fact?.exists !== true) {
    const { path, mode, owner, group } = desired;
    return [
      changeOf(desired, `create (${mode} ${owner}:${group})`, [{ op: 'mkdir', path, mode, owner, group }], {
        assumptions: readiness.assumptions,
      }),
    ];
  }
  const drift = attributeDrift(desired.path, fact, desired);
  if (drift.actions.length === 0) return [];
  return [changeOf(desired, drift.notes.join(', '), drift.actions, { assumptions: readiness.assumptions })];
};
