// The inventory as orbis uses it: every name checked, every value placed in its file.
import type { ConfigIssue, SettingName, SourcePosition } from '../config/index.js';

export interface Located<T> {
  value: T;
  at: SourcePosition;
}

/**
 * A setting's value as the inventory gives it: text as written (a YAML number or boolean keeps
 * its spelling: `0644` stays "0644"), or a reference to where the value lives, so that a
 * stream key need not be written in the file.
 */
export type VarValue =
  | { kind: 'text'; text: string }
  | { kind: 'env'; variable: string }
  /** A name in the encrypted secrets file (a later issue); see SecretStore. */
  | { kind: 'secret'; name: string };

export interface VarEntry {
  name: SettingName;
  value: VarValue;
  /** The value's position (errors about the value point there). */
  at: SourcePosition;
}

/** How to reach hosts: the host's own values, or defaults given by the fleet or a group. */
export interface ConnectionFields {
  user?: Located<string>;
  port?: Located<number>;
  /** A private key file, absolute or `~/`-relative (relative paths are made absolute at reading). */
  key?: Located<string>;
}

/** A level that carries vars and connection defaults: the fleet (one per file), a group, a host. */
export interface Scope {
  /** "fleet", "group maison", "host salon": the SettingsLayer name, shown as an origin. */
  label: string;
  file: string;
  vars: readonly VarEntry[];
  connection: ConnectionFields;
}

export interface InventoryHost extends Scope {
  name: string;
  /** Where the host's name is written. */
  at: SourcePosition;
  address?: Located<string>;
  /** An ~/.ssh/config Host alias: the config says where and how; only the host's own user/port/key override it. */
  ssh?: Located<string>;
}

export interface InventoryGroup extends Scope {
  name: string;
  at: SourcePosition;
  /** Hosts listed directly. */
  hosts: readonly Located<string>[];
  /** Child groups: their hosts are this group's hosts too, and their vars win over this group's. */
  children: readonly Located<string>[];
}

export interface Inventory {
  files: readonly string[];
  /** Fleet-level vars and connection defaults, one scope per file, in file order. */
  fleet: readonly Scope[];
  /** In the order written (file by file). */
  hosts: readonly InventoryHost[];
  groups: readonly InventoryGroup[];
  warnings: readonly ConfigIssue[];
}
