// What `orbis inventory` shows, as data (for --json) and as text: the hosts, how each is
// reached, and each effective setting with its value (stream keys masked) and where it came
// from. Pure: the command gathers the inputs (settings loaded per host, SSH config resolved).
import { settingRows, type SettingOrigins, type Settings } from '../config/index.js';
import type { ResolvedHost } from './resolve.js';

/** The transport's view of the host after ~/.ssh/config, or why it could not be resolved. */
export type SshView = { hostname: string; user: string; port: number; identityFiles: readonly string[] } | { error: string };

export interface HostInput {
  host: ResolvedHost;
  settings: { settings: Settings; origins: SettingOrigins };
  ssh?: SshView;
}

export interface ShowInput {
  files: readonly string[];
  groups: readonly string[];
  hosts: readonly HostInput[];
  /** The conf file read under the inventory, if any. */
  confPath?: string;
}

export interface ConnectionField<T> {
  value: T | undefined;
  /** "host salon", "group maison", "fleet", or "ssh config or default". */
  from: string;
}

export interface SettingReportRow {
  name: string;
  /** Masked for stream keys. */
  value: string;
  origin: string;
  /** When the winning value came by reference: "environment SALON_DLIVE_KEY". */
  reference?: string;
  /** A reference that could not be followed (its value is left out): "environment X". */
  unresolved?: string[];
  secret: boolean;
}

export interface HostReportEntry {
  name: string;
  groups: readonly string[];
  target: string;
  connection: {
    via: 'address' | 'ssh-config' | 'name';
    host: string;
    /** After ~/.ssh/config; undefined when it could not be resolved. */
    hostname: string | undefined;
    user: ConnectionField<string>;
    port: ConnectionField<number>;
    key: ConnectionField<string>;
    error?: string;
  };
  /** The settings' sources for this host, lowest first. */
  layers: string[];
  settings: SettingReportRow[];
}

export interface InventoryReport {
  inventory: readonly string[];
  groups: readonly string[];
  hosts: HostReportEntry[];
}

const FROM_SSH = 'ssh config or default';

export function inventoryReport(input: ShowInput): InventoryReport {
  return {
    inventory: input.files,
    groups: input.groups,
    hosts: input.hosts.map((h) => hostEntry(h, input.confPath)),
  };
}

function hostEntry({ host, settings, ssh }: HostInput, confPath: string | undefined): HostReportEntry {
  const resolved = ssh !== undefined && !('error' in ssh) ? ssh : undefined;
  const c = host.connection;
  const connection: HostReportEntry['connection'] = {
    via: c.via,
    host: c.host,
    hostname: resolved?.hostname,
    user: c.user ? { value: c.user.value, from: c.user.from } : { value: resolved?.user, from: FROM_SSH },
    port: c.port ? { value: c.port.value, from: c.port.from } : { value: resolved?.port, from: FROM_SSH },
    key: c.key ? { value: c.key.value, from: c.key.from } : { value: resolved?.identityFiles[0], from: FROM_SSH },
  };
  if (ssh !== undefined && 'error' in ssh) connection.error = ssh.error;
  return {
    name: host.name,
    groups: host.groups,
    target: host.target,
    connection,
    layers: ['default', ...(confPath ? [confPath] : []), ...host.layers.map((l) => l.name), 'environment ORBIS_<NAME>', '--var'],
    settings: settingRows(settings).map((row) => {
      const out: SettingReportRow = { name: row.name, value: row.value, origin: row.origin, secret: row.secret };
      const origin = settings.origins[row.name];
      if (origin.kind === 'layer') {
        // Layers may share a name (one fleet per file): the value's position tells them apart.
        const layer = host.layers.find((l) => l.name === origin.layer && samePosition(l.positions?.[row.name], origin.position));
        const reference = layer?.references[row.name];
        if (reference) out.reference = reference;
      }
      const unresolved = host.unresolved.filter((u) => u.setting === row.name).map((u) => `${u.reference} (${u.layer})`);
      if (unresolved.length > 0) out.unresolved = unresolved;
      return out;
    }),
  };
}

function samePosition(a: { file: string; line: number; col: number } | undefined, b: { file: string; line: number; col: number } | undefined): boolean {
  return a?.file === b?.file && a?.line === b?.line && a?.col === b?.col;
}

/** `hideDefaults` leaves out settings at their default (--json always has them all). */
export function formatInventory(report: InventoryReport, options: { hideDefaults?: boolean } = {}): string {
  const out: string[] = [];
  const groups = report.groups.length === 0 ? 'no groups' : `groups ${report.groups.join(', ')}`;
  out.push(`${report.inventory.join(', ')}: ${report.hosts.length} host(s); ${groups}`, '');
  out.push(table([
    ['HOST', 'ADDRESS', 'USER', 'PORT', 'GROUPS'],
    ...report.hosts.map((h) => [h.name, address(h), text(h.connection.user.value), text(h.connection.port.value), h.groups.join(', ') || '-']),
  ]));
  for (const host of report.hosts) out.push('', ...hostDetail(host, options.hideDefaults ?? false));
  return `${out.join('\n')}\n`;
}

function hostDetail(host: HostReportEntry, hideDefaults: boolean): string[] {
  const c = host.connection;
  const field = <T extends string | number>(label: string, f: ConnectionField<T>): string => `${label} ${text(f.value)} (${f.from})`;
  const lines = [
    `== ${host.name}`,
    `connect:  ${host.target}${c.via === 'ssh-config' ? ` (an ~/.ssh/config alias)` : c.via === 'name' ? ' (the host\'s name)' : ''}`,
    `          ${[field('user', c.user), field('port', c.port), field('key', c.key)].join(', ')}`,
  ];
  if (c.error !== undefined) lines.push(`          cannot resolve: ${c.error}`);
  lines.push(`groups:   ${host.groups.join(' < ') || '-'}`, `sources:  ${host.layers.join(' < ')} (the last wins)`);
  // A default shown because its reference was unset is worth seeing: keep those.
  const rows = host.settings.filter((s) => !hideDefaults || s.origin !== 'default' || s.unresolved !== undefined);
  lines.push(table([
    ['SETTING', 'VALUE', 'FROM'],
    ...rows.map((s) => [s.name, s.value === '' ? '""' : s.value, fromText(s)]),
  ]));
  const hidden = host.settings.length - rows.length;
  if (hidden > 0) lines.push(`(${hidden} setting(s) at their default not shown)`);
  return lines;
}

function fromText(row: SettingReportRow): string {
  const parts = [row.reference === undefined ? row.origin : `${row.origin}, ${row.reference}`];
  for (const u of row.unresolved ?? []) parts.push(`[${u} not set]`);
  return parts.join(' ');
}

function address(host: HostReportEntry): string {
  const c = host.connection;
  const shown = c.hostname ?? c.host;
  return c.via === 'ssh-config' ? `${shown} (ssh ${c.host})` : shown;
}

function text(value: string | number | undefined): string {
  return value === undefined ? '?' : String(value);
}

function table(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}
