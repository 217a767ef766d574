// The shape of an inventory file, as zod schemas (strict: a misspelt key is an error, never
// silently ignored). The shapes are plain objects so that the issue mapper can list the keys a
// place accepts ("did you mean ...?") from the same source the schemas are built from.
import { z } from '../util/zod.js';
import { isSettingName } from '../config/index.js';
import { ALL_GROUP, NAME_RE, NAME_RULE } from './names.js';

const nameRef = z.string({ error: 'must be a host or group name' }).regex(NAME_RE, { error: `must be a name: ${NAME_RULE}` });

// As OpenSSH and the transport accept them: a name, an IPv4 or a bare IPv6 address.
const HOST_RE = /^[A-Za-z0-9._%:-]+$/;
const hostText = (what: string) =>
  z.string({ error: `must be ${what}` })
    .regex(HOST_RE, { error: `must be ${what}, without user@, :port or brackets` })
    .refine((v) => !v.startsWith('-'), { error: `must be ${what}, not an option` });

// Login names as the transport's target parser accepts them (domain users with @ and $ too).
const USER_RE = /^[A-Za-z0-9._][A-Za-z0-9._@-]*\$?$/;

export const CONNECTION_SHAPE = {
  user: z.string({ error: 'must be a login name' }).regex(USER_RE, { error: 'must be a login name (letters, digits, ".", "_", "-")' }).optional(),
  port: z.int({ error: 'must be a whole number from 1 to 65535' }).min(1).max(65535).optional(),
  key: z.string({ error: 'must be the path of a private key file' }).min(1, { error: 'must be the path of a private key file' }).optional(),
};

const ENV_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const REFERENCE_SHAPE = {
  env: z.string({ error: 'must name an environment variable' }).regex(ENV_RE, { error: 'must be an environment variable name (letters, digits, "_")' }).optional(),
  /** Hook for the encrypted secrets file (a later issue): the name of a secret in it. */
  secret: z.string({ error: 'must name a secret' }).regex(ENV_RE, { error: 'must be a secret name (letters, digits, "_")' }).optional(),
};

const reference = z.strictObject(REFERENCE_SHAPE).refine((r) => (r.env === undefined) !== (r.secret === undefined), {
  error: 'a reference gives exactly one of env or secret',
  // A misspelt key ({ evn: X }) is the one thing to fix, not also "neither env nor secret".
  when: (payload) => payload.issues.length === 0,
});

// Values stay as YAML gives them here; read-file.ts takes plain scalars' text as written.
const varValue = z.union([z.string(), z.number(), z.boolean(), reference], {
  error: (issue) => (issue.input === null ? 'has no value' : 'must be one value (text, a number, true/false) or a reference { env: NAME }'),
});

export interface KeyIssueParams {
  hint?: string;
  /** The issue is about the key itself (an unknown setting name), not its value. */
  onKey?: boolean;
}

/** A scope's `vars:` (exported for the generated JSON Schema, which lists the setting names). */
export const varsSchema = z.record(z.string(), varValue, { error: 'must be a map of setting names to values' }).superRefine((values, ctx) => {
  for (const name of Object.keys(values)) {
    if (!isSettingName(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is not an orbis setting', params: { onKey: true } satisfies KeyIssueParams });
  }
});

const connection = z.strictObject(CONNECTION_SHAPE, { error: 'must be a map with user, port and/or key' });
const nameList = z.array(nameRef, { error: 'must be a list of names, e.g. [salon, cuisine]' });

export const HOST_SHAPE = {
  address: hostText('a host name or IP address').optional(),
  ssh: hostText('an ~/.ssh/config Host alias').optional(),
  ...CONNECTION_SHAPE,
  vars: varsSchema.optional(),
};

export const GROUP_SHAPE = {
  hosts: nameList.optional(),
  children: nameList.optional(),
  connection: connection.optional(),
  vars: varsSchema.optional(),
};

/** A map keyed by host or group names, each name checked where it is written. */
function named<T extends z.ZodType>(entry: T, what: 'host' | 'group') {
  return z.record(z.string(), entry, { error: `must be a map of ${what} names to ${what}s` }).superRefine((entries, ctx) => {
    for (const name of Object.keys(entries)) {
      const params: KeyIssueParams = { onKey: true };
      if (!NAME_RE.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `is not a valid ${what} name (${NAME_RULE})`, params });
      else if (name === ALL_GROUP) ctx.addIssue({ code: 'custom', path: [name], message: `"${ALL_GROUP}" is reserved: it means every host`, params: { ...params, hint: 'choose another name' } });
    }
  });
}

export const FILE_SHAPE = {
  connection: connection.optional(),
  vars: varsSchema.optional(),
  hosts: named(z.strictObject(HOST_SHAPE, { error: 'must be a map (address, user, port, key, ssh, vars), or empty' }).nullable(), 'host').optional(),
  groups: named(z.strictObject(GROUP_SHAPE, { error: 'must be a map (hosts, children, connection, vars), or empty' }).nullable(), 'group').optional(),
};

export const inventoryFileSchema = z.strictObject(FILE_SHAPE, { error: 'an inventory file must be a map with hosts, groups, vars and/or connection' });

export type InventoryFileData = z.infer<typeof inventoryFileSchema>;
export type HostData = NonNullable<NonNullable<InventoryFileData['hosts']>[string]>;
export type GroupData = NonNullable<NonNullable<InventoryFileData['groups']>[string]>;
export type ConnectionData = z.infer<typeof connection>;

/** The keys accepted at a path of the file, for "did you mean"; undefined where any key goes. */
export function knownKeysAt(path: readonly PropertyKey[]): readonly string[] | undefined {
  const last = path[path.length - 1];
  if (path.length === 0) return Object.keys(FILE_SHAPE);
  if (last === 'connection') return Object.keys(CONNECTION_SHAPE);
  if (path.length === 2 && path[0] === 'hosts') return Object.keys(HOST_SHAPE);
  if (path.length === 2 && path[0] === 'groups') return Object.keys(GROUP_SHAPE);
  if (path[path.length - 2] === 'vars') return Object.keys(REFERENCE_SHAPE);
  return undefined;
}
