// The plan of a whole host: each desired resource, in order, against the facts and against what the
// earlier resources of the same plan will have done (why-run). Pure.
//
// Every Change leaves here with secrets masked (summary, assumptions, error, diff) and, when it
// really changes something, the resource's `notify` list. Plan functions need not do either.
import { maskSecrets } from '../redact/secret.js';
import { planCommand } from './command.js';
import { planDirectory } from './directory.js';
import { planDownload } from './download.js';
import { planFile } from './file.js';
import { planLink } from './link.js';
import { planPackage } from './package.js';
import { planPrecondition } from './precondition.js';
import { planService } from './service.js';
import type { Change, Desired, PlanContext } from './types.js';
import type { HostFacts } from '../facts/types.js';
import { planGroup, planUser } from './user.js';

export { formatChanges, type FormatOptions } from './format.js';
export { contentDiff, type ContentDiff, type ContentDiffInput } from './diff.js';

export function emptyPlanContext(): PlanContext {
  return { packagesToInstall: new Set(), usersToCreate: new Set(), groupsToCreate: new Set(), pathsToCreate: new Set() };
}

export function planResource(desired: Desired, facts: HostFacts, context: PlanContext): Change[] {
  return planByKind(desired, facts, context).map((change) => finish(change, desired, context.secrets?.values ?? []));
}

function planByKind(desired: Desired, facts: HostFacts, context: PlanContext): Change[] {
  switch (desired.kind) {
    case 'package':
      return planPackage(desired, facts, context);
    case 'file':
      return planFile(desired, facts, context);
    case 'directory':
      return planDirectory(desired, facts, context);
    case 'link':
      return planLink(desired, facts, context);
    case 'user':
      return planUser(desired, facts, context);
    case 'group':
      return planGroup(desired, facts, context);
    case 'service':
      return planService(desired, facts, context);
    case 'download':
      return planDownload(desired, facts, context);
    case 'command':
      return planCommand(desired, facts, context);
    case 'precondition':
      return planPrecondition(desired, facts, context);
  }
}

function finish(change: Change, desired: Desired, runSecrets: readonly string[]): Change {
  const secrets = [...(desired.secretValues ?? []), ...runSecrets];
  const mask = (text: string): string => maskSecrets(text, secrets);
  const done: Change = { ...change, summary: mask(change.summary) };
  if (change.assumptions !== undefined) done.assumptions = change.assumptions.map(mask);
  if (change.error !== undefined) done.error = mask(change.error);
  if (change.diff !== undefined) done.diff = mask(change.diff);
  if (change.actions.length > 0 && change.error === undefined && desired.notify !== undefined && desired.notify.length > 0) {
    done.notify = [...desired.notify];
  }
  return done;
}

/**
 * Record what a change will have done once applied, so later resources can assume it: a service
 * after its package, a file owned by a user created just before. A change that cannot be planned
 * records nothing: what depends on it then fails to plan too, naming its own missing piece.
 */
export function recordPlannedEffects(context: PlanContext, change: Change): void {
  if (change.error !== undefined) return;
  for (const action of change.actions) {
    switch (action.op) {
      case 'apt-install':
        // `name=version` installs `name`.
        for (const spec of action.packages) context.packagesToInstall.add(spec.split('=')[0] ?? spec);
        break;
      case 'useradd':
        context.usersToCreate.add(action.name);
        // Without an explicit primary group, useradd creates one named after the user.
        if (action.group === undefined) context.groupsToCreate.add(action.name);
        break;
      case 'groupadd':
        context.groupsToCreate.add(action.name);
        break;
      case 'write-file':
      case 'mkdir':
      case 'symlink':
      case 'download':
        context.pathsToCreate.add(action.path);
        break;
      case 'remove':
        context.pathsToCreate.delete(action.path);
        break;
      default:
        break;
    }
  }
}

/** Plan every resource in order; resources in sync contribute no Change. */
export function planAll(desired: readonly Desired[], facts: HostFacts, context: PlanContext = emptyPlanContext()): Change[] {
  const changes: Change[] = [];
  for (const resource of desired) {
    for (const change of planResource(resource, facts, context)) {
      recordPlannedEffects(context, change);
      changes.push(change);
    }
  }
  return changes;
}
