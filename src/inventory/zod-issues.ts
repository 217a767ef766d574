// zod issues -> ConfigIssues placed at file:line:col, each with a hint. The schema says what is
// wrong; this module says where (key or value) and what to write instead.
import type * as z from 'zod';
import { isScalar } from 'yaml';
import { SETTING_NAMES, type ConfigIssue } from '../config/index.js';
import { closestName } from '../config/suggest.js';
import { positionOf, type YamlSource } from '../util/yaml-positions.js';
import { knownKeysAt, type KeyIssueParams } from './schema.js';

// What to write, by the key whose value is wrong.
const HINTS: Readonly<Record<string, string>> = {
  port: 'write a number without quotes, e.g. port: 2222',
  user: 'e.g. user: pi',
  key: 'the private key file, e.g. key: ~/.ssh/orbis_ed25519 (relative paths are from the inventory file)',
  address: 'e.g. address: 192.168.1.20; user and port have keys of their own',
  ssh: 'a Host name from ~/.ssh/config, e.g. ssh: salon-pi',
  hosts: 'list host names, e.g. hosts: [salon, cuisine]',
  children: 'list group names, e.g. children: [maison]',
  connection: 'e.g. connection: { user: pi, key: ~/.ssh/orbis_ed25519 }',
  vars: 'e.g. vars: { DLIVE_BITRATE_VIDEO: 4500 }',
  env: 'e.g. DLIVE_CLE_FLUX: { env: SALON_DLIVE_KEY }',
  secret: 'e.g. DLIVE_CLE_FLUX: { secret: salon_dlive }',
};

const VALUE_HINT = 'write one value, or a reference such as { env: SALON_DLIVE_KEY }';
const EMPTY_HINT = "write a value ('' for an empty one), or remove the line";

export function issuesFromZod(source: YamlSource, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.flatMap(insideUnion).flatMap((issue) => (issue.code === 'unrecognized_keys' ? unknownKeys(source, issue.path, issue.keys) : [placed(source, issue)]));
}

/**
 * A value that is a map ({ env: true }) fails every branch of a setting's union, and zod then
 * reports the union as a whole, at the map's `{`. The map was meant as a reference: the branch
 * whose issues are all inside the value (the reference's own) says what is wrong, and where.
 */
function insideUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const inside = issue.errors.find((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
  if (inside === undefined) return [issue];
  return inside.flatMap((i) => insideUnion({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue));
}

function unknownKeys(source: YamlSource, path: readonly PropertyKey[], keys: readonly string[]): ConfigIssue[] {
  const known = knownKeysAt(path) ?? [];
  return keys.map((key) => {
    const near = closestName(key, known);
    return {
      file: source.file,
      ...positionOf(source, path, key),
      variable: dotted([...path, key]),
      message: 'unknown key',
      hint: near !== undefined ? `did you mean ${near}?` : `allowed here: ${known.join(', ')}`,
    };
  });
}

function placed(source: YamlSource, issue: z.core.$ZodIssue): ConfigIssue {
  const params = (issue as { params?: KeyIssueParams }).params;
  const key = issue.path[issue.path.length - 1];
  // An empty value (`GOP:`) has no text to point at: point at its key.
  const onKey = params?.onKey === true || isEmptyValue(source, issue.path);
  const position = onKey && typeof key === 'string'
    ? positionOf(source, issue.path.slice(0, -1), key)
    : positionOf(source, issue.path);
  const out: ConfigIssue = { file: source.file, ...position, message: issue.message };
  if (issue.path.length > 0) out.variable = dotted(issue.path);
  const hint = params?.hint ?? hintFor(issue.path, params?.onKey === true, onKey && params?.onKey !== true);
  if (hint !== undefined) out.hint = hint;
  return out;
}

function isEmptyValue(source: YamlSource, path: readonly PropertyKey[]): boolean {
  const node = source.doc.getIn(path, true);
  return isScalar(node) && node.value === null;
}

function hintFor(path: readonly PropertyKey[], onKey: boolean, isEmpty: boolean): string | undefined {
  const key = String(path[path.length - 1] ?? '');
  const parent = path[path.length - 2];
  if (parent === 'vars') {
    if (isEmpty) return EMPTY_HINT;
    if (!onKey) return VALUE_HINT;
    const near = closestName(key, SETTING_NAMES);
    return near !== undefined ? `did you mean ${near}?` : 'see conf/orbis.conf.example for the settings';
  }
  // A host or group written as something other than a map, e.g. `salon: 192.168.1.20`.
  if (path.length === 2 && path[0] === 'hosts' && !onKey) return `e.g. ${key}: { address: 192.168.1.20, user: pi }`;
  if (path.length === 2 && path[0] === 'groups' && !onKey) return `e.g. ${key}: { hosts: [salon, cuisine] }`;
  // A bad item of a list (hosts: [1]) is hinted by the list's key.
  const named = typeof path[path.length - 1] === 'number' ? String(parent) : key;
  return HINTS[named];
}

/** `hosts.salon.port`, `groups.maison.hosts[1]`. */
export function dotted(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text === '' ? String(segment) : `${text}.${String(segment)}`), '');
}
