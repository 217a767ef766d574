// Debian packages. Versions compare the Debian way (src/util/debian-version.ts), never as semver.
//
// - present, not installed        -> apt-install (one per resource; the engine batches them)
// - installed but too old         -> apt-install of the name: apt upgrades to the candidate
// - installed but too new         -> cannot be planned: orbis does not downgrade behind your back
// - `= V` requirement              -> apt-install `name=V`, so apt picks exactly that version
// - absent & installed            -> apt-remove
// Check mode cannot see apt's candidate version, so a requirement on a package still to be
// installed or upgraded is an assumption; apply (and the next `check`) tell the truth.
import {
  compareDebianVersions,
  DebianConstraintError,
  DebianVersionError,
  failedClauses,
  formatConstraint,
  parseDebianConstraint,
  type DebianClause,
} from '../util/debian-version.js';
import { cannotPlan, changeOf } from './common.js';
import type { Change, DesiredPackage, PlanFn } from './types.js';

export const planPackage: PlanFn<DesiredPackage> = (desired, facts) => {
  const installed = facts.packages[desired.name];
  if (desired.state === 'absent') {
    if (installed === undefined) return [];
    return [changeOf(desired, `remove (installed ${installed})`, [{ op: 'apt-remove', packages: [desired.name] }])];
  }

  let clauses: DebianClause[] = [];
  if (desired.version !== undefined) {
    try {
      clauses = parseDebianConstraint(desired.version);
    } catch (error) {
      if (error instanceof DebianConstraintError) return [cannotPlan(desired, error.message)];
      throw error;
    }
  }
  const requirement = formatConstraint(clauses);
  const exact = clauses.find((clause) => clause.op === '=');
  const install = { op: 'apt-install' as const, packages: [exact ? `${desired.name}=${exact.version}` : desired.name] };
  const candidateAssumption =
    clauses.length > 0 && exact === undefined ? [`assumes apt's candidate for ${desired.name} satisfies ${requirement}`] : [];

  if (installed === undefined) {
    const summary = clauses.length > 0 ? `install (${requirement})` : 'install';
    return [changeOf(desired, summary, [install], { assumptions: candidateAssumption })];
  }
  if (clauses.length === 0) return [];
  return planInstalledVersion(desired, installed, clauses, install, candidateAssumption);
};

function planInstalledVersion(
  desired: DesiredPackage,
  installed: string,
  clauses: DebianClause[],
  install: { op: 'apt-install'; packages: string[] },
  assumptions: string[],
): Change[] {
  let failed: DebianClause[];
  try {
    failed = failedClauses(installed, clauses);
  } catch (error) {
    if (error instanceof DebianVersionError) {
      return [cannotPlan(desired, `the host reports version '${installed}' of ${desired.name}, which dpkg could not have written`)];
    }
    throw error;
  }
  if (failed.length === 0) return [];
  const requirement = formatConstraint(clauses);
  // An upper bound (or an exact version) that the installed version overshoots needs a downgrade:
  // a deliberate act (apt-get install --allow-downgrades name=V), not something a plan slips in.
  const tooNew = failed.some(
    (clause) => clause.op === '<<' || clause.op === '<=' || (clause.op === '=' && compareDebianVersions(installed, clause.version) > 0),
  );
  if (tooNew) {
    return [
      cannotPlan(
        desired,
        `installed ${desired.name} ${installed} is newer than allowed (${requirement}); orbis does not downgrade packages: ` +
          `install the wanted version by hand (apt-get install --allow-downgrades ${desired.name}=VERSION) or relax the requirement`,
      ),
    ];
  }
  return [changeOf(desired, `upgrade from ${installed} to satisfy ${requirement}`, [install], { assumptions })];
}
