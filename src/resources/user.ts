// Users and groups: created when missing, supplementary groups added when missing.
//
// orbis never removes a user from a group it was not asked about (`usermod -aG`: a Pi's `pi` user is
// in a dozen groups a role knows nothing of), and never changes an existing user's home or shell:
// moving a home or changing a login shell under a running service is a deliberate act, not drift.
//
// useradd makes a group named after the user (USERGROUPS_ENAB, Debian's default) unless such a
// group exists already: then the action names it as the primary group, or useradd would fail with
// "group X exists". planAll records that group as created, so a later group resource of the same
// name plans nothing.
import { cannotPlan, changeOf, principalReadiness } from './common.js';
import type { Action, DesiredGroup, DesiredUser, PlanFn } from './types.js';

export const planUser: PlanFn<DesiredUser> = (desired, facts, context) => {
  const fact = facts.users[desired.name];
  if (fact === undefined && !context.usersToCreate.has(desired.name)) return planNewUser(desired, facts, context);

  // Existing, or declared by an earlier role too (that one creates it, this one adds its groups).
  const missing = (desired.groups ?? []).filter((g) => !(fact?.groups ?? []).includes(g));
  if (missing.length === 0) return [];
  const readiness = principalReadiness('group', missing, facts, context);
  if (readiness.errors.length > 0) return [cannotPlan(desired, readiness.errors)];
  const assumptions = fact === undefined ? [`assumes user ${desired.name} is created by an earlier resource`] : [];
  const summary = `add to group${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  return [
    changeOf(desired, summary, [{ op: 'usermod-groups', name: desired.name, groups: missing }], {
      assumptions: [...assumptions, ...readiness.assumptions],
    }),
  ];
};

const planNewUser: PlanFn<DesiredUser> = (desired, facts, context) => {
  const groups = desired.groups ?? [];
  const readiness = principalReadiness('group', groups, facts, context);
  if (readiness.errors.length > 0) return [cannotPlan(desired, readiness.errors)];
  const system = desired.system === true;
  const action: Extract<Action, { op: 'useradd' }> = { op: 'useradd', name: desired.name, system };
  if (desired.home !== undefined) action.home = desired.home;
  if (desired.shell !== undefined) action.shell = desired.shell;
  if (groups.length > 0) action.groups = groups;
  if (facts.groups[desired.name] !== undefined || context.groupsToCreate.has(desired.name)) action.group = desired.name;

  const details = [
    desired.home !== undefined ? `home ${desired.home}` : undefined,
    desired.shell !== undefined ? `shell ${desired.shell}` : undefined,
    groups.length > 0 ? `groups ${groups.join(', ')}` : undefined,
  ].filter((d): d is string => d !== undefined);
  const summary = `create ${system ? 'system ' : ''}user${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
  return [changeOf(desired, summary, [action], { assumptions: readiness.assumptions })];
};

export const planGroup: PlanFn<DesiredGroup> = (desired, facts, context) => {
  if (facts.groups[desired.name] !== undefined || context.groupsToCreate.has(desired.name)) return [];
  const system = desired.system === true;
  return [changeOf(desired, `create ${system ? 'system ' : ''}group`, [{ op: 'groupadd', name: desired.name, system }])];
};
