// One host, ready to run: its settings layers in precedence order (fleet < groups < host, for
// loadSettings to put between the conf file and the environment) and how to reach it.
import { ConfigError, type ConfigIssue, type SettingsLayer } from '../config/index.js';
import { GroupGraph, indexGroups } from './groups.js';
import { sortByPosition } from './read-file.js';
import { describeReference, resolveVar, type ReferenceOptions } from './references.js';
import type { ConnectionFields, Inventory, InventoryHost, Located, Scope } from './types.js';

/** A settings layer that also says which of its values came by reference, for `orbis inventory`. */
export interface InventoryLayer extends SettingsLayer {
  /** Setting name -> "environment SALON_DLIVE_KEY" / "secret salon_dlive". */
  references: Readonly<Record<string, string>>;
}

export interface FromScope<T> extends Located<T> {
  /** The scope that gave it: "host salon", "group maison", "fleet". */
  from: string;
}

export interface HostConnection {
  /** How the host is named to SSH: its address, an ~/.ssh/config alias, or (neither given) its inventory name. */
  via: 'address' | 'ssh-config' | 'name';
  /** The address, alias or name, as written. */
  host: string;
  /** Unset ones come from ~/.ssh/config, else OpenSSH's defaults (the local user, port 22). */
  user?: FromScope<string>;
  port?: FromScope<number>;
  key?: FromScope<string>;
}

/** The per-host part of the transport's ResolveOptions / SshConnectOptions. */
export interface HostConnectOptions {
  user?: string;
  port?: number;
  identityFile?: string;
}

export interface ResolvedHost {
  name: string;
  /** Every group the host is in, in the order their vars apply. */
  groups: readonly string[];
  /** `[user@]host[:port]` for the transport's `connect()`: carries user and port, not the key. */
  target: string;
  connect: HostConnectOptions;
  connection: HostConnection;
  /** Lowest first: fleet (per file), groups, the host. */
  layers: InventoryLayer[];
  /** References left unresolved under `unresolved: 'warn'`: the values are left out of the layers. */
  unresolved: UnresolvedReference[];
  warnings: ConfigIssue[];
}

export interface UnresolvedReference {
  layer: string;
  setting: string;
  /** "environment SALON_DLIVE_KEY" */
  reference: string;
}

/** What app/request.ts's HostTarget takes, plus the per-host connect options. */
export interface InventoryHostTarget {
  name: string;
  target: string;
  layers: SettingsLayer[];
  connect: HostConnectOptions;
}

const graphs = new WeakMap<Inventory, GroupGraph>();

/** Built once per inventory: membership and precedence do not change after loading. */
export function groupGraph(inventory: Inventory): GroupGraph {
  let graph = graphs.get(inventory);
  if (graph === undefined) {
    graph = new GroupGraph(indexGroups(inventory.groups));
    graphs.set(inventory, graph);
  }
  return graph;
}

/** Resolve the named hosts; every unresolved reference of every host in one ConfigError. */
export function resolveHosts(inventory: Inventory, names: readonly string[], options: ReferenceOptions = {}): ResolvedHost[] {
  const resolved: ResolvedHost[] = [];
  const errors = new Map<string, ConfigIssue>();
  for (const name of names) {
    const { host, issues } = resolveOne(inventory, name, options);
    // A group's unset variable is one problem, however many hosts share it.
    for (const issue of issues) errors.set(JSON.stringify(issue), issue);
    resolved.push(host);
  }
  if (errors.size > 0 && options.unresolved !== 'warn') throw new ConfigError(sortByPosition([...errors.values()]));
  return resolved;
}

export function resolveHost(inventory: Inventory, name: string, options: ReferenceOptions = {}): ResolvedHost {
  const [host] = resolveHosts(inventory, [name], options);
  if (host === undefined) throw new Error(`internal: host ${name} not resolved`);
  return host;
}

export function hostTarget(host: ResolvedHost): InventoryHostTarget {
  return { name: host.name, target: host.target, layers: host.layers, connect: host.connect };
}

function resolveOne(inventory: Inventory, name: string, options: ReferenceOptions): { host: ResolvedHost; issues: ConfigIssue[] } {
  const host = inventory.hosts.find((h) => h.name === name);
  if (host === undefined) throw new ConfigError([{ source: 'inventory', message: `no host named ${name}`, hint: `the hosts are: ${inventory.hosts.map((h) => h.name).join(', ')}` }]);
  const groups = groupGraph(inventory).groupsOf(name);
  const byName = new Map(inventory.groups.map((g) => [g.name, g]));
  const scopes: Scope[] = [...inventory.fleet, ...groups.flatMap((g) => byName.get(g) ?? []), host];
  const issues: ConfigIssue[] = [];
  const unresolved: UnresolvedReference[] = [];
  const layers = scopes.map((scope) => layerOf(scope, options, issues, unresolved));
  // An ssh_config alias takes user, port and key from the config: defaults given to a whole
  // group or fleet would silently override it, so only the host's own values apply.
  const connection = connectionOf(host, host.ssh === undefined ? scopes : [host]);
  const resolved: ResolvedHost = {
    name,
    groups,
    target: targetOf(connection),
    connect: connectOptions(connection),
    connection,
    layers,
    unresolved: options.unresolved === 'warn' ? unresolved : [],
    warnings: options.unresolved === 'warn' ? issues : [],
  };
  return { host: resolved, issues };
}

function layerOf(scope: Scope, options: ReferenceOptions, issues: ConfigIssue[], unresolved: UnresolvedReference[]): InventoryLayer {
  const values: Record<string, unknown> = {};
  const positions: Record<string, Scope['vars'][number]['at']> = {};
  const references: Record<string, string> = {};
  for (const entry of scope.vars) {
    const resolution = resolveVar(entry, scope, options);
    if (!resolution.ok) {
      issues.push(resolution.issue);
      unresolved.push({ layer: scope.label, setting: entry.name, reference: describeReference(entry.value) });
      continue;
    }
    values[entry.name] = resolution.value;
    positions[entry.name] = entry.at;
    if (resolution.reference !== undefined) references[entry.name] = resolution.reference;
  }
  return { name: scope.label, values, positions, references };
}

function connectionOf(host: InventoryHost, scopes: readonly Scope[]): HostConnection {
  const connection: HostConnection = host.ssh !== undefined
    ? { via: 'ssh-config', host: host.ssh.value }
    : host.address !== undefined
      ? { via: 'address', host: host.address.value }
      : { via: 'name', host: host.name };
  // Later scopes win, as for vars.
  for (const scope of scopes) {
    const fields: ConnectionFields = scope.connection;
    if (fields.user) connection.user = { ...fields.user, from: scope.label };
    if (fields.port) connection.port = { ...fields.port, from: scope.label };
    if (fields.key) connection.key = { ...fields.key, from: scope.label };
  }
  return connection;
}

function targetOf(connection: HostConnection): string {
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  const user = connection.user ? `${connection.user.value}@` : '';
  const port = connection.port ? `:${connection.port.value}` : '';
  return `${user}${host}${port}`;
}

function connectOptions(connection: HostConnection): HostConnectOptions {
  const options: HostConnectOptions = {};
  if (connection.user) options.user = connection.user.value;
  if (connection.port) options.port = connection.port.value;
  if (connection.key) options.identityFile = connection.key.value;
  return options;
}
