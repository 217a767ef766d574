// Files with byte-exact content. Compared by sha256 (the probe hashes every managed path), so a
// no-op run never moves content over the wire.
//
// - missing                         -> write-file (previousSha256 null), diff from /dev/null
// - content differs                 -> write-file (it sets mode and owner too), diff when the old
//                                      content is known (PathFact.content), else a note saying so
// - same content, mode/owner drift  -> chmod / chown only: no rewrite, no backup, no validate
// - a symlink in the way            -> replaced by the file: the write is temp + rename, which
//                                      replaces the link itself, and the role says "a file here"
// - a directory or special file     -> cannot be planned: replacing it would destroy data
// Parent directories are not checked (the probe does not stat them): write-file creates missing
// ones as `mkdir -p` does, and a role that cares about their mode declares a directory resource.
// A unit file or drop-in also plans a daemon-reload, so systemctl sees it before later steps.
import { attributeDrift, cannotPlan, changeOf, describePath, isSystemdUnitPath, ownerReadiness, sha256 } from './common.js';
import { contentDiff } from './diff.js';
import type { Action, DesiredFile, PlanFn } from './types.js';

export const planFile: PlanFn<DesiredFile> = (desired, facts, context) => {
  const fact = facts.paths[desired.path];
  const exists = fact?.exists === true;
  if (fact !== undefined && exists && (fact.type === 'directory' || fact.type === 'other')) {
    return [
      cannotPlan(desired, `${desired.path} is ${describePath(fact)} on the host; remove it by hand if a file belongs there`),
    ];
  }
  const readiness = ownerReadiness(desired, facts, context);
  if (readiness.errors.length > 0) return [cannotPlan(desired, readiness.errors)];

  const newSha256 = sha256(desired.content);
  const isLink = fact?.type === 'link';
  if (fact !== undefined && exists && !isLink && fact.sha256 === newSha256) {
    const drift = attributeDrift(desired.path, fact, desired);
    if (drift.actions.length === 0) return [];
    return [changeOf(desired, drift.notes.join(', '), drift.actions, { assumptions: readiness.assumptions })];
  }

  const isFile = exists && !isLink;
  const known = fact?.content !== undefined && fact.sha256 !== undefined && sha256(fact.content) === fact.sha256;
  const content = contentDiff({
    path: desired.path,
    exists: isFile,
    oldContent: known ? fact?.content : undefined,
    oldSha256: fact?.sha256,
    newContent: desired.content,
    newSha256,
    secretValues: desired.secretValues,
    ...(context.secrets ? { mask: context.secrets.forFile(desired.path) } : {}),
  });
  const write: Action = {
    op: 'write-file',
    path: desired.path,
    content: desired.content,
    mode: desired.mode,
    owner: desired.owner,
    group: desired.group,
    backup: desired.backup ?? true,
    previousSha256: isFile ? (fact?.sha256 ?? null) : null,
  };
  if (desired.validate !== undefined) write.validate = desired.validate;
  const actions: Action[] = [write];
  if (isSystemdUnitPath(desired.path)) actions.push({ op: 'daemon-reload' });

  const notes = [content.summary];
  if (fact !== undefined && isFile) notes.push(...attributeDrift(desired.path, fact, desired).notes);
  const verb = isLink ? `replace ${describePath(fact)} with a file` : isFile ? 'update' : 'create';
  const attributes = isFile ? '' : `, ${desired.mode} ${desired.owner}:${desired.group}`;
  const summary = `${verb} (${notes.join(', ')}${attributes})`;
  return [changeOf(desired, summary, actions, { diff: content.diff, assumptions: readiness.assumptions })];
};
