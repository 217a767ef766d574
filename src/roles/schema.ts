// The shape of roles/<name>/role.yaml. Roles are data: what to install, write, run and check.
// String fields may use Handlebars ({{NGINX_PORT_RTMP}}) and are rendered with the run's
// settings; `when` takes a small condition (see condition.ts) so one role serves every
// platform combination.
import { z } from '../util/zod.js';

const mode = z
  .string()
  .regex(/^0?[0-7]{3,4}$/, 'a mode is an octal string such as "0644"')
  .transform((m) => m.padStart(4, '0'));

const when = z.string().optional();

// An absolute path, or one a setting gives (`{{BTFS_REPERTOIRE_REPO}}`: settings of path type are
// validated as absolute).
const absolute = z.string().regex(/^(\/|\{\{)/, 'a path is absolute (starts with /) or starts with a {{setting}}');
const notify = z.array(z.string()).optional();

const packageSchema = z.strictObject({
  name: z.string().min(1),
  version: z.string().optional(),
  state: z.enum(['present', 'absent']).optional(),
  when,
  notify,
});

const groupSchema = z.strictObject({ name: z.string().min(1), system: z.boolean().optional(), when });

const userSchema = z.strictObject({
  name: z.string().min(1),
  system: z.boolean().optional(),
  home: z.string().optional(),
  shell: z.string().optional(),
  groups: z.array(z.string()).optional(),
  when,
});

const owned = {
  mode,
  owner: z.string().default('root'),
  group: z.string().default('root'),
};

const directorySchema = z.strictObject({ path: absolute, ...owned, when, notify });

const fileSchema = z
  .strictObject({
    path: absolute,
    template: z.string().optional(),
    content: z.string().optional(),
    ...owned,
    validate: z.string().optional(),
    backup: z.boolean().optional(),
    when,
    notify,
  })
  .refine((f) => (f.template === undefined) !== (f.content === undefined), {
    message: 'a file needs exactly one of `template` or `content`',
  });

const linkSchema = z.strictObject({ path: absolute, target: z.string().min(1), when, notify });

const downloadSchema = z.strictObject({
  url: z.string().min(1),
  sha256: z.string().min(1),
  path: absolute,
  extract: z.string().optional(),
  ...owned,
  when,
  notify,
});

const commandSchema = z.strictObject({
  name: z.string().min(1),
  command: z.string().min(1),
  creates: z.string().optional(),
  unless: z.string().optional(),
  user: z.string().optional(),
  when,
  notify,
});

const serviceSchema = z.strictObject({
  unit: z.string().min(1),
  enabled: z.boolean().optional(),
  state: z.enum(['started', 'stopped']).optional(),
  masked: z.boolean().optional(),
  providedBy: z.string().optional(),
  when,
  notify,
});

const handlerSchema = z
  .strictObject({
    name: z.string().min(1),
    unit: z.string().optional(),
    action: z.enum(['restart', 'reload', 'start', 'stop']).optional(),
    command: z.string().optional(),
    when,
  })
  .refine((h) => (h.unit !== undefined && h.action !== undefined) || h.command !== undefined, {
    message: 'a handler needs `unit` + `action`, or a `command`',
  });

// A shell test the facts probe runs (as root) before anything changes: when it fails, the host is
// refused with `message` and nothing is applied (e.g. BTFS refusing a repo's chain id change).
const preconditionSchema = z.strictObject({
  name: z.string().min(1),
  check: z.string().min(1),
  message: z.string().min(1),
  when,
});

// Checks are defined by the verify step; the role only lists them (name + parameters).
const verifySchema = z.looseObject({ check: z.string().min(1), when });

export const roleSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'role names are lowercase words joined by -'),
  description: z.string().optional(),
  version: z.string().optional(),
  requires: z.strictObject({ orbis: z.string().optional() }).optional(),
  depends: z.array(z.string()).default([]),
  /**
   * A change of this role can cut orbis's own way in (sshd, a firewall): the engine applies the
   * role's changes first and alone, under the safety net (src/engine/access-guard.ts): the host
   * undoes them by itself unless orbis logs in again over a NEW connection in time.
   */
  confirmAccess: z.boolean().default(false),
  /**
   * The role needs nothing apt installs for other roles (a downloaded binary, tools of its own):
   * on a run that installs packages, its changes run while apt works, provided its own packages
   * and those of the roles it depends on are already there. A slow start (go-btfs) then overlaps
   * the packages of a first provision instead of following them.
   */
  runsDuringApt: z.boolean().default(false),
  /** The lowest layer of settings (role defaults < conf file < inventory < env < --var). */
  defaults: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'setting names are UPPER_CASE'), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /**
   * The range of a numeric role variable: what its default's kind allows is not enough when a
   * value out of range changes what the role does (BLOCAGE_MAX=0 turns the streamer's watchdog
   * off). An override outside it is refused like a setting's.
   */
  ranges: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.object({ min: z.number(), max: z.number() }).strict()).default({}),
  preconditions: z.array(preconditionSchema).default([]),
  packages: z.array(packageSchema).default([]),
  groups: z.array(groupSchema).default([]),
  users: z.array(userSchema).default([]),
  directories: z.array(directorySchema).default([]),
  downloads: z.array(downloadSchema).default([]),
  files: z.array(fileSchema).default([]),
  links: z.array(linkSchema).default([]),
  commands: z.array(commandSchema).default([]),
  services: z.array(serviceSchema).default([]),
  handlers: z.array(handlerSchema).default([]),
  verify: z.array(verifySchema).default([]),
});

export type RoleSpec = z.infer<typeof roleSchema>;
export type HandlerSpec = RoleSpec['handlers'][number];
