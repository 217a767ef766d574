// Files fetched from a URL and pinned by sha256 (e.g. the BTFS release). The engine downloads on
// the Pi, verifies the sha256 there before anything is installed, and only then moves the file (or
// the extracted member) into place: a wrong or truncated download never goes live.
//
// In sync:
// - plain download: the file's sha256 is the pinned one;
// - extracted member: the file's hash is not the archive's, so the manifest (what orbis recorded
//   for this path on an earlier run: the archive's sha256, see engine/plan.ts manifestFor) must
//   name the pinned archive, and the file must still be the one orbis installed (its sha256 as
//   recorded then; manifests from before orbis recorded it are trusted).
// Then only mode/owner drift is planned (chmod / chown).
import { attributeDrift, cannotPlan, changeOf, describePath, ownerReadiness, shortHash } from './common.js';
import type { Action, DesiredDownload, PlanFn } from './types.js';

export const planDownload: PlanFn<DesiredDownload> = (desired, facts, context) => {
  const fact = facts.paths[desired.path];
  const exists = fact?.exists === true;
  if (fact !== undefined && exists && (fact.type === 'directory' || fact.type === 'other')) {
    return [cannotPlan(desired, `${desired.path} is ${describePath(fact)} on the host; remove it by hand if a file belongs there`)];
  }
  const readiness = ownerReadiness(desired, facts, context);
  if (readiness.errors.length > 0) return [cannotPlan(desired, readiness.errors)];

  const pinned = desired.sha256.toLowerCase();
  const isFile = fact !== undefined && exists && fact.type === 'file';
  const installed = facts.manifestInstalled[desired.path];
  const replacedByHand =
    isFile && desired.extract !== undefined && installed !== undefined && fact.sha256 !== undefined && fact.sha256.toLowerCase() !== installed;
  const inSync =
    isFile &&
    (desired.extract === undefined ? fact.sha256?.toLowerCase() === pinned : facts.manifest[desired.path]?.toLowerCase() === pinned && !replacedByHand);
  if (fact !== undefined && isFile && inSync) {
    const drift = attributeDrift(desired.path, fact, desired);
    if (drift.actions.length === 0) return [];
    return [changeOf(desired, drift.notes.join(', '), drift.actions, { assumptions: readiness.assumptions })];
  }

  const { url, path, mode, owner, group, extract } = desired;
  const action: Action = { op: 'download', url, sha256: pinned, path, mode, owner, group };
  if (extract !== undefined) action.extract = extract;
  const source = `${url}${extract !== undefined ? ` (member ${extract})` : ''}, sha256 ${shortHash(pinned)}`;
  const summary = !exists
    ? `download ${source}, ${mode} ${owner}:${group}`
    : extract === undefined && isFile
      ? `replace (sha256 ${shortHash(fact.sha256)} -> ${shortHash(pinned)}) from ${url}`
      : replacedByHand
        ? `replace (sha256 ${shortHash(fact.sha256)}, not the ${shortHash(installed)} orbis installed; replaced on the host) from ${source}`
        : `replace from ${source}`;
  return [changeOf(desired, summary, [action], { assumptions: readiness.assumptions })];
};
