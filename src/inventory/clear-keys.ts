// A stream key written in clear in a file git tracks is in the repository's history for good:
// warn at its position, and say how to give it by reference instead. Untracked (git-ignored)
// files may hold keys, as conf/orbis.conf does.
import { isSecretSetting, type ConfigIssue } from '../config/index.js';
import type { Scope } from './types.js';

export function clearKeyWarnings(file: string, scopes: readonly Scope[], isTracked: (file: string) => boolean): ConfigIssue[] {
  const clear = scopes.flatMap((scope) =>
    scope.vars.filter((v) => isSecretSetting(v.name) && v.value.kind === 'text' && v.value.text !== '').map((v) => ({ scope, entry: v })),
  );
  // Ask git only when there is something to warn about: it is a process per file.
  if (clear.length === 0 || !isTracked(file)) return [];
  return clear.map(({ scope, entry }) => ({
    ...entry.at,
    variable: entry.name,
    message: `a stream key in clear in a file git tracks (${scope.label})`,
    hint: `give it by reference, e.g. ${entry.name}: { env: ${suggestedEnvName(scope, entry.name)} }, and change the key on the platform: it stays in the git history`,
  }));
}

function suggestedEnvName(scope: Scope, setting: string): string {
  const owner = scope.label.replace(/^(host|group) /, '').replace(/^fleet$/, '');
  const prefix = owner.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return prefix === '' ? `ORBIS_${setting}` : `${prefix}_${setting}`;
}
