// Where and how to reach a target, as `ssh [user@]host[:port]` would: the target as typed, then
// ~/.ssh/config (Host aliases, HostName, User, Port, IdentityFile, ProxyJump, UserKnownHostsFile,
// ...), then OpenSSH's defaults. Explicit CLI values win over the config file.
//
// The login user defaults to the local user, as OpenSSH does. Raspberry Pi OS has had no default
// `pi` account since 2022 (the imager asks for one), so guessing `pi` would be wrong as often as
// right; `orbis provision pi@host` or an inventory `user:` says it explicitly.
import { readdirSync, readFileSync } from 'node:fs';
import { homedir, hostname as localHostname, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig, { LineType, glob, type Line } from 'ssh-config';
import { TransportError } from './errors.js';

export interface TargetSpec {
  user?: string;
  host: string;
  port?: number;
}

/** A target or ProxyJump hop that cannot be understood. */
export class TargetError extends TransportError {
  constructor(target: string, detail: string, hint = 'write the target as [user@]host[:port], e.g. pi@192.168.1.20 or pi@[fe80::1]:2222') {
    super('BAD_TARGET', target, `bad SSH target ${JSON.stringify(target)}: ${detail}`, hint);
  }
}

const HOST_RE = /^[A-Za-z0-9._%:-]+$/; // names, addresses, IPv6 with a zone; underscores too (ssh_config aliases)
const USER_RE = /^[A-Za-z0-9._][A-Za-z0-9._@-]*\$?$/;

/** Parse `[user@]host[:port]`, with IPv6 literals in brackets (`[fe80::1]:22`). */
export function parseTarget(target: string): TargetSpec {
  let rest = target.trim().replace(/^ssh:\/\//, '');
  const spec: TargetSpec = { host: '' };
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const user = rest.slice(0, at);
    if (!USER_RE.test(user)) throw new TargetError(target, `invalid user name ${JSON.stringify(user)}`);
    spec.user = user;
    rest = rest.slice(at + 1);
  }
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    spec.host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [spec.host, portText] = rest.split(':') as [string, string];
  } else {
    spec.host = rest; // a name, IPv4, or a bare IPv6 literal (which cannot carry a port)
  }
  if (!spec.host || spec.host.startsWith('-') || !HOST_RE.test(spec.host)) {
    throw new TargetError(target, `invalid host ${JSON.stringify(spec.host)}`);
  }
  if (portText !== undefined) spec.port = parsePort(portText, target);
  return spec;
}

function parsePort(text: string, context: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new TargetError(context, `invalid port ${JSON.stringify(text)} (1-65535)`);
  return port;
}

export interface ResolveOptions {
  /** ssh_config file to honour; default `~/.ssh/config`; `null` reads none (hermetic runs, tests). */
  configFile?: string | null;
  /** `--user`: wins over the target's `user@` and the config. */
  user?: string;
  /** `--port`: wins over the target's `:port` and the config. */
  port?: number;
  /** `--key FILE`: the only identity file offered (the agent is still tried after it). */
  identityFile?: string;
  /** `--known-hosts FILE`: the only known_hosts file read and written. */
  knownHostsFile?: string;
  /** For tests: the home directory, local user and environment to resolve against. */
  homeDir?: string;
  localUser?: string;
  env?: NodeJS.ProcessEnv;
}

export type IdentitySource = 'cli' | 'config' | 'default';

export interface ResolvedTarget {
  /** The host as the user wrote it (a Host alias, a name or an address). */
  alias: string;
  /** What to connect to (HostName, with its tokens expanded). */
  hostname: string;
  port: number;
  user: string;
  /** Private key files to offer, in order. Files that do not exist are skipped at connect time. */
  identityFiles: string[];
  /**
   * Where identityFiles came from. Offer order: cli/config files first, then the agent;
   * `default` keys (~/.ssh/id_ed25519, id_ecdsa, id_rsa) only after the agent, like OpenSSH.
   */
  identitySource: IdentitySource;
  /** IdentitiesOnly yes: do not offer agent keys besides the files. */
  identitiesOnly: boolean;
  /** ssh-agent socket (IdentityAgent, else $SSH_AUTH_SOCK), if any. */
  agentSocket: string | undefined;
  /** One ProxyJump hop, itself resolved through the config. */
  proxyJump: ResolvedTarget | undefined;
  /** Read in order; new keys are recorded in the first. */
  knownHostsFiles: string[];
  /** Read only. */
  globalKnownHostsFiles: string[];
  /** The name looked up in known_hosts instead of hostname (HostKeyAlias). */
  hostKeyAlias: string | undefined;
  /** HashKnownHosts yes in the config: record new keys hashed. */
  hashKnownHosts: boolean;
  /** StrictHostKeyChecking from the config, mapped onto orbis's policies (`ask` maps to nothing). */
  hostKeyPolicy: 'strict' | 'accept-new' | undefined;
  connectTimeoutSec: number | undefined;
  serverAliveIntervalSec: number | undefined;
  serverAliveCountMax: number | undefined;
  /** The config file that was read, if any. */
  configFile: string | undefined;
  /** Things in the config that orbis does not honour, to show the user. */
  warnings: string[];
}

const MAX_JUMP_DEPTH = 4;
const MAX_INCLUDE_DEPTH = 16;

/** Resolve a target string through the SSH config. Synchronous: a config file is small. */
export function resolveTarget(target: string, options: ResolveOptions = {}): ResolvedTarget {
  const home = options.homeDir ?? homedir();
  const configFile = options.configFile === undefined ? join(home, '.ssh', 'config') : (options.configFile ?? undefined);
  const config = configFile === undefined ? undefined : loadSshConfig(configFile, home);
  return resolveSpec(target, parseTarget(target), options, config, configFile, home, 0);
}

function resolveSpec(
  target: string,
  spec: TargetSpec,
  options: ResolveOptions,
  config: SSHConfig | undefined,
  configFile: string | undefined,
  home: string,
  depth: number,
): ResolvedTarget {
  const env = options.env ?? process.env;
  const localUser = options.localUser ?? safeLocalUser(env);
  const explicitUser = options.user ?? spec.user;
  // matchExec off: computing a config must not run shell commands (`Match exec`) behind the user's back.
  const computed = config?.compute(
    explicitUser === undefined ? { Host: spec.host } : { Host: spec.host, User: explicitUser },
    { ignoreCase: true, matchExec: false },
  ) ?? {};
  const one = (key: string): string | undefined => {
    const value = computed[key];
    return Array.isArray(value) ? value.join(' ') : value;
  };
  const many = (key: string): string[] => {
    const value = computed[key];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };

  const warnings: string[] = [];
  const user = explicitUser ?? one('user') ?? localUser;
  const port = options.port ?? spec.port ?? (one('port') !== undefined ? parsePort(one('port') ?? '', `Port in ${configFile}`) : 22);
  const tokens: Record<string, string> = {
    '%': '%',
    n: spec.host,
    h: spec.host,
    p: String(port),
    r: user,
    u: localUser,
    d: home,
    l: localHostname(),
    L: localHostname().split('.')[0] ?? '',
    i: String(process.getuid?.() ?? ''),
  };
  const expand = (value: string, what: string): string => expandTokens(value, tokens, home, what, warnings);

  const hostname = expand(one('hostname') ?? spec.host, 'HostName');
  tokens.h = hostname;

  let identityFiles: string[];
  let identitySource: IdentitySource;
  if (options.identityFile !== undefined) {
    identityFiles = [expand(options.identityFile, '--key')];
    identitySource = 'cli';
  } else if (many('identityfile').length > 0) {
    identityFiles = many('identityfile').map((f) => expand(f, 'IdentityFile'));
    identitySource = 'config';
  } else {
    identityFiles = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(home, '.ssh', f));
    identitySource = 'default';
  }

  const identityAgent = one('identityagent');
  const agentSocket =
    identityAgent === undefined || identityAgent === 'SSH_AUTH_SOCK'
      ? env.SSH_AUTH_SOCK || undefined
      : identityAgent.toLowerCase() === 'none'
        ? undefined
        : expand(identityAgent.replace(/^\$(\w+)$|^\$\{(\w+)\}$/, (_m, a: string, b: string) => env[a ?? b] ?? ''), 'IdentityAgent');

  const knownHostsFiles = options.knownHostsFile !== undefined
    ? [expand(options.knownHostsFile, '--known-hosts')]
    : (many('userknownhostsfile').length > 0
        ? many('userknownhostsfile')
        : ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']
      ).map((f) => expand(f, 'UserKnownHostsFile'));
  // An explicit --known-hosts is the whole truth: no system-wide file sneaks keys in.
  const globalKnownHostsFiles = options.knownHostsFile !== undefined
    ? []
    : (many('globalknownhostsfile').length > 0
        ? many('globalknownhostsfile')
        : ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']
      ).map((f) => expand(f, 'GlobalKnownHostsFile'));

  const proxyJump = resolveJump(one('proxyjump'), target, options, config, configFile, home, depth, warnings);
  if (one('proxycommand') !== undefined && proxyJump === undefined && one('proxycommand')?.toLowerCase() !== 'none') {
    warnings.push(`ProxyCommand is not supported by orbis (connecting directly to ${hostname}); use ProxyJump instead`);
  }
  if (one('include') !== undefined) {
    warnings.push('Include inside a Host or Match block is not supported by orbis; put Include lines at the top of the file');
  }

  return {
    alias: spec.host,
    hostname,
    port,
    user,
    identityFiles,
    identitySource,
    identitiesOnly: yes(one('identitiesonly')),
    agentSocket,
    proxyJump,
    knownHostsFiles,
    globalKnownHostsFiles,
    hostKeyAlias: one('hostkeyalias'),
    hashKnownHosts: yes(one('hashknownhosts')),
    hostKeyPolicy: mapStrictHostKeyChecking(one('stricthostkeychecking')),
    connectTimeoutSec: positiveInt(one('connecttimeout')),
    serverAliveIntervalSec: positiveInt(one('serveraliveinterval')),
    serverAliveCountMax: positiveInt(one('serveralivecountmax')),
    configFile: config ? configFile : undefined,
    warnings,
  };
}

function resolveJump(
  value: string | undefined,
  target: string,
  options: ResolveOptions,
  config: SSHConfig | undefined,
  configFile: string | undefined,
  home: string,
  depth: number,
  warnings: string[],
): ResolvedTarget | undefined {
  if (value === undefined || value.toLowerCase() === 'none') return undefined;
  if (value.includes(',')) {
    throw new TargetError(target, `ProxyJump ${value} has several hops; orbis supports one`, 'give the jump host its own ProxyJump in the SSH config instead of a list');
  }
  if (depth >= MAX_JUMP_DEPTH) throw new TargetError(target, `ProxyJump chain deeper than ${MAX_JUMP_DEPTH} (a loop?)`);
  // The hop is a host of its own: only its own user@/port and the config apply, not the CLI's
  // --user/--port/--key, which are about the target.
  const hop = resolveSpec(value, parseTarget(value), { homeDir: options.homeDir, localUser: options.localUser, env: options.env, knownHostsFile: options.knownHostsFile }, config, configFile, home, depth + 1);
  warnings.push(...hop.warnings.map((w) => `jump host ${hop.alias}: ${w}`));
  return hop;
}

/** Expand `~/` and OpenSSH %-tokens; an unknown token stays as written, with a warning. */
export function expandTokens(value: string, tokens: Record<string, string>, home: string, what: string, warnings: string[] = []): string {
  const tilded = value === '~' ? home : value.startsWith('~/') ? join(home, value.slice(2)) : value;
  return tilded.replace(/%(.)/g, (match, token: string) => {
    const replacement = tokens[token];
    if (replacement === undefined) {
      warnings.push(`${what}: token %${token} is not supported by orbis and was left as is`);
      return match;
    }
    return replacement;
  });
}

/** Parse a config file with its top-level `Include`s spliced in (relative paths are under ~/.ssh). */
export function loadSshConfig(file: string, home: string, depth = 0): SSHConfig | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TransportError('SSH_CONFIG', file, `cannot read SSH config ${file}: ${(error as Error).message}`, 'check the file permissions, or pass another config file');
  }
  const parsed = SSHConfig.parse(text);
  const lines: Line[] = [];
  for (const line of parsed) {
    if (line.type === LineType.DIRECTIVE && /^include$/i.test(line.param) && depth < MAX_INCLUDE_DEPTH) {
      const patterns = Array.isArray(line.value) ? line.value.map((v) => v.val) : line.value.split(/\s+/);
      for (const pattern of patterns) {
        for (const included of expandIncludePattern(pattern, home)) {
          const sub = loadSshConfig(included, home, depth + 1);
          if (sub) lines.push(...sub);
        }
      }
    } else {
      lines.push(line);
    }
  }
  const config = new SSHConfig();
  config.push(...lines);
  return config;
}

function expandIncludePattern(pattern: string, home: string): string[] {
  const path = pattern.startsWith('~/') ? join(home, pattern.slice(2)) : isAbsolute(pattern) ? pattern : join(home, '.ssh', pattern);
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  try {
    return readdirSync(dirname(path))
      .filter((entry) => glob(name, entry))
      .sort()
      .map((entry) => join(dirname(path), entry));
  } catch {
    return []; // a glob over a missing directory includes nothing, as in OpenSSH
  }
}

function safeLocalUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? 'root';
  }
}

function yes(value: string | undefined): boolean {
  return value !== undefined && /^(yes|true)$/i.test(value);
}

function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

function mapStrictHostKeyChecking(value: string | undefined): 'strict' | 'accept-new' | undefined {
  switch (value?.toLowerCase()) {
    case 'yes':
    case 'true':
      return 'strict';
    // `no` would let OpenSSH connect even to a changed key; orbis never does, so it means accept-new.
    case 'accept-new':
    case 'no':
    case 'off':
    case 'false':
      return 'accept-new';
    default:
      return undefined; // `ask` needs a terminal prompt: orbis's own default applies
  }
}
