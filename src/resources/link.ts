// Symbolic links, with `ln -sfn` semantics: an existing link is retargeted in place (and `-n` keeps
// a link to a directory from being followed). The target is compared as written (readlink), not
// resolved: `../x` and `/abs/x` are different links even when they reach the same file.
//
// - missing or wrong target   -> symlink
// - a file or directory there -> cannot be planned: `ln -sf` would delete the file, and on a
//                                directory it would put the link inside it
// A link into a systemd unit directory (aliasing a unit) also plans a daemon-reload.
import { cannotPlan, changeOf, describePath, isSystemdUnitPath } from './common.js';
import type { Action, DesiredLink, PlanFn } from './types.js';

export const planLink: PlanFn<DesiredLink> = (desired, facts) => {
  const fact = facts.paths[desired.path];
  const actions: Action[] = [{ op: 'symlink', path: desired.path, target: desired.target }];
  if (isSystemdUnitPath(desired.path)) actions.push({ op: 'daemon-reload' });

  if (fact?.exists !== true) return [changeOf(desired, `create -> ${desired.target}`, actions)];
  if (fact.type !== 'link') {
    return [cannotPlan(desired, `${desired.path} is ${describePath(fact)} on the host, not a symlink; move it away by hand`)];
  }
  if (fact.linkTarget === desired.target) return [];
  return [changeOf(desired, `retarget ${fact.linkTarget ?? '?'} -> ${desired.target}`, actions)];
};
