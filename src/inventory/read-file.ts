// One inventory file: YAML with positions -> schema -> the file's fleet scope, hosts and groups,
// every value placed. Problems are collected, not thrown, so that one run lists them all.
import { dirname, isAbsolute, resolve } from 'node:path';
import { isScalar } from 'yaml';
import type { ConfigIssue, SettingName } from '../config/index.js';
import { positionOf, type YamlSource } from '../util/yaml-positions.js';
import { inventoryFileSchema, type ConnectionData, type GroupData, type HostData } from './schema.js';
import type { ConnectionFields, InventoryGroup, InventoryHost, Located, Scope, VarEntry, VarValue } from './types.js';
import { boundIssues, duplicateKeyIssues, flowDepthIssue, MAX_YAML_ALIASES, parseInventoryYaml, syntaxIssues } from './yaml-issues.js';
import { issuesFromZod } from './zod-issues.js';

export interface InventoryPart {
  fleet: Scope;
  hosts: InventoryHost[];
  groups: InventoryGroup[];
}

export type FileReading = { ok: true; part: InventoryPart } | { ok: false; errors: ConfigIssue[] };

export function readInventoryText(file: string, text: string): FileReading {
  const deep = flowDepthIssue(file, text);
  if (deep !== undefined) return { ok: false, errors: [deep] };
  const source = parseInventoryYaml(file, text);
  const syntax = syntaxIssues(source, text);
  if (syntax.length > 0) return { ok: false, errors: syntax };
  const bounds = boundIssues(source);
  if (bounds.length > 0) return { ok: false, errors: bounds };
  const duplicates = duplicateKeyIssues(source);
  const parsed = inventoryFileSchema.safeParse(source.doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {});
  const errors = [...duplicates, ...(parsed.success ? [] : issuesFromZod(source, parsed.error.issues))];
  if (!parsed.success || errors.length > 0) return { ok: false, errors: sortByPosition(errors) };

  const place = new Placer(source);
  const data = parsed.data;
  const fleet: Scope = { label: 'fleet', file, vars: place.vars(['vars'], data.vars), connection: place.connection(['connection'], data.connection) };
  const hosts = Object.entries(data.hosts ?? {}).map(([name, host]) => place.host(name, host ?? {}));
  const groups = Object.entries(data.groups ?? {}).map(([name, group]) => place.group(name, group ?? {}));
  return { ok: true, part: { fleet, hosts, groups } };
}

/** Reads values back out of the validated data, each with the position it is written at. */
class Placer {
  constructor(private readonly source: YamlSource) {}

  private at(path: readonly PropertyKey[]) {
    return { file: this.source.file, ...positionOf(this.source, path) };
  }

  private keyAt(path: readonly PropertyKey[], key: string) {
    return { file: this.source.file, ...positionOf(this.source, path, key) };
  }

  private located<T>(path: readonly PropertyKey[], value: T | undefined): Located<T> | undefined {
    return value === undefined ? undefined : { value, at: this.at(path) };
  }

  host(name: string, data: HostData): InventoryHost {
    const path = ['hosts', name];
    const host: InventoryHost = {
      name,
      label: `host ${name}`,
      file: this.source.file,
      at: this.keyAt(['hosts'], name),
      vars: this.vars([...path, 'vars'], data.vars),
      connection: this.connection(path, data),
    };
    const address = this.located([...path, 'address'], data.address);
    const ssh = this.located([...path, 'ssh'], data.ssh);
    if (address) host.address = address;
    if (ssh) host.ssh = ssh;
    return host;
  }

  group(name: string, data: GroupData): InventoryGroup {
    const path = ['groups', name];
    const list = (key: string, names: readonly string[] | undefined): Located<string>[] =>
      (names ?? []).map((value, i) => ({ value, at: this.at([...path, key, i]) }));
    return {
      name,
      label: `group ${name}`,
      file: this.source.file,
      at: this.keyAt(['groups'], name),
      hosts: list('hosts', data.hosts),
      children: list('children', data.children),
      vars: this.vars([...path, 'vars'], data.vars),
      connection: this.connection([...path, 'connection'], data.connection),
    };
  }

  connection(path: readonly PropertyKey[], data: ConnectionData | undefined): ConnectionFields {
    const fields: ConnectionFields = {};
    const user = this.located([...path, 'user'], data?.user);
    const port = this.located([...path, 'port'], data?.port);
    const key = this.located([...path, 'key'], data?.key);
    if (user) fields.user = user;
    if (port) fields.port = port;
    // Relative to the inventory file, so the inventory works from any working directory;
    // `~/` is left for the transport, which expands it as ssh does.
    if (key) fields.key = { ...key, value: key.value.startsWith('~') || isAbsolute(key.value) ? key.value : resolve(dirname(this.source.file), key.value) };
    return fields;
  }

  vars(path: readonly PropertyKey[], data: Readonly<Record<string, unknown>> | undefined): VarEntry[] {
    return Object.entries(data ?? {}).map(([name, value]) => ({
      // The schema has checked every name.
      name: name as SettingName,
      value: this.varValue([...path, name], value),
      at: this.at([...path, name]),
    }));
  }

  private varValue(path: readonly PropertyKey[], value: unknown): VarValue {
    if (typeof value === 'string') return { kind: 'text', text: value };
    if (typeof value === 'object' && value !== null) {
      const ref = value as { env?: string; secret?: string };
      return ref.env !== undefined ? { kind: 'env', variable: ref.env } : { kind: 'secret', name: ref.secret ?? '' };
    }
    // A YAML number or boolean counts as the text it is written as, as in the conf file:
    // `0644` would otherwise become 644 and `1.50` 1.5.
    const node = this.source.doc.getIn(path, true);
    return { kind: 'text', text: isScalar(node) && typeof node.source === 'string' ? node.source : String(value) };
  }
}

export function sortByPosition(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}
