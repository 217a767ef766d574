// Where an effective value came from, for `orbis inventory` and for locating errors.
import type { SettingName } from './settings.js';

export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

export type ValueOrigin =
  | { kind: 'default' }
  /** The conf file; line/col of the value as written. */
  | { kind: 'file'; file: string; line: number; col: number }
  /** An extra layer (inventory fleet/group/host vars), with the value's position when known. */
  | { kind: 'layer'; layer: string; position?: SourcePosition }
  | { kind: 'env'; variable: string }
  | { kind: 'var' };

export type SettingOrigins = Readonly<Record<SettingName, ValueOrigin>>;

/** "conf/orbis.conf:12:18", "inventory/fleet.yaml:4:7 (group pi4)", "environment ORBIS_GOP", ... */
export function describeOrigin(origin: ValueOrigin, name?: SettingName): string {
  switch (origin.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `${origin.file}:${origin.line}:${origin.col}`;
    case 'layer':
      return origin.position === undefined
        ? origin.layer
        : `${formatPosition(origin.position)} (${origin.layer})`;
    case 'env':
      return `environment ${origin.variable}`;
    case 'var':
      return name === undefined ? '--var' : `--var ${name}`;
  }
}

export function formatPosition(position: SourcePosition): string {
  return `${position.file}:${position.line}:${position.col}`;
}
