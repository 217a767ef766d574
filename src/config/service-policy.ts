// What a service may be given: a folder orbis will create, chmod and chown for it, and the user it
// runs as. A setting is a typo away from the system (BTFS_REPERTOIRE_REPO=/etc planned `/etc:
// mode 0755 -> 0700, owner root:root -> btfs:btfs`, which breaks sudo and ssh on the Pi;
// BTFS_UTILISATEUR=root ran the daemon as root). Refused here, where the value was written, before
// any host is touched. The Pi-side half (a user that exists already as a person's account) is a
// precondition of the role, for only the Pi knows its users.
import { absolutePath, fail, failureFrom, ok, textType, unixUserName, type ValueType } from './value-types.js';

/**
 * Folders of the system itself, and trees under which nothing belongs to one service: /etc's
 * files, the binaries and libraries, the kernel's and systemd's own (FHS 3.0; Debian's layout).
 */
const SYSTEM_TREES = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/root', '/run', '/sbin', '/sys', '/tmp', '/usr', '/var/tmp'];
/** Shared parents: a service's folder goes below them (/var/lib/btfs), never is one. */
const SHARED_PARENTS = ['/', '/home', '/media', '/mnt', '/opt', '/srv', '/var', '/var/lib', '/var/cache', '/var/log', '/var/spool', '/var/opt', '/var/local', '/var/mail', '/usr/local'];

/** Why `path` may not be handed to a service, or undefined when it may. */
export function systemPathProblem(path: string): string | undefined {
  if (SHARED_PARENTS.includes(path)) return `${path} is shared by the whole system`;
  const tree = SYSTEM_TREES.find((t) => path === t || path.startsWith(`${t}/`));
  if (tree !== undefined && !path.startsWith('/usr/local/')) return `${path} is ${path === tree ? 'a system folder' : `inside the system folder ${tree}`}`;
  // /home/NAME is a person's home; a folder below it is theirs to give.
  if (/^\/home\/[^/]+$/.test(path)) return `${path} is a person's home folder`;
  return undefined;
}

/** An absolute path orbis may create and give to a service (owner, mode): no system folder. */
export function serviceDirectory(): ValueType<string> {
  const base = absolutePath();
  const allowed = `${base.allowed}, a folder of its own (not a system folder such as /etc or /var/lib)`;
  return textType(allowed, (text) => {
    const parsed = base.schema.safeParse(text);
    if (!parsed.success) return failureFrom(parsed.error, `must be ${allowed}`);
    const problem = systemPathProblem(parsed.data);
    if (problem) return fail(`must be ${allowed}: ${problem}, and orbis would make it the service's (owner, mode 0700)`, 'give the service a folder of its own, e.g. /var/lib/btfs/.btfs (the default)');
    return ok(parsed.data);
  });
}

/**
 * Accounts a service must not run as: root, and Debian's own system accounts (base-passwd's
 * list and the usual daemons'), each of which owns files the service would then own too.
 */
const RESERVED_USERS = new Set([
  'root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'www-data',
  'backup', 'list', 'irc', 'gnats', 'nobody', '_apt', 'messagebus', 'sshd', 'systemd-network', 'systemd-resolve',
  'systemd-timesync', 'systemd-journal', 'polkitd', 'avahi', 'stunnel4', 'orbis',
]);

/** The user a service runs as: a system account of its own (orbis creates it). */
export function serviceUser(): ValueType<string> {
  const base = unixUserName();
  const allowed = `${base.allowed}, an account of its own (not root nor another service's)`;
  return textType(allowed, (text) => {
    const parsed = base.schema.safeParse(text);
    if (!parsed.success) return failureFrom(parsed.error, `must be ${allowed}`);
    if (RESERVED_USERS.has(parsed.data)) return fail(`must be ${allowed}; ${parsed.data} is ${parsed.data === 'root' ? 'root' : 'a system account that other parts of the system use'}`, 'give the service a user of its own, e.g. btfs (the default)');
    return ok(parsed.data);
  });
}
