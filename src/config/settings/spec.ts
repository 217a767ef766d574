// What orbis knows about each setting: how to read it, its default, what it means, who uses it.
// One table drives validation, defaults, `orbis inventory`, the generated reference and the
// example conf, so they cannot disagree.
import type { ValueType } from '../value-types.js';

/** The roles of DESIGN.md; `usedBy: []` marks a variable no role uses (kept from upstream, or read by the run itself: SSH_*). */
export type RoleName = 'ffmpeg' | 'nginx-rtmp' | 'stunnel' | 'btfs' | 'orbis-service' | 'system' | 'ssh';

export type SettingGroup =
  | 'platforms'
  | 'dlive'
  | 'kick'
  | 'encode'
  | 'relay'
  | 'btfs'
  | 'playlist'
  | 'watermark'
  | 'slate'
  | 'cache'
  | 'logs'
  | 'system'
  | 'ssh'
  | 'upstream';

export interface SettingSpec<T> {
  type: ValueType<T>;
  /** The default, written as it would be in a conf file ('' = not set). */
  default: string;
  /** One or two sentences, in English, for `orbis inventory`, the README and the reference. */
  description: string;
  group: SettingGroup;
  /**
   * The roles whose files, commands or conditions the setting shapes, directly or through a value
   * derived from it (`encode.encoderArgs`). Checked against the roles themselves by
   * test/unit/docs/usage.test.ts (src/docs/usage.ts derives it); `orbis verify` reading a
   * setting does not count here.
   */
  usedBy: readonly RoleName[];
  /** Never shown: masked in every output. */
  secret: boolean;
}

export function setting<T>(
  type: ValueType<T>,
  defaultText: string,
  group: SettingGroup,
  usedBy: readonly RoleName[],
  description: string,
  options: { secret?: boolean } = {},
): SettingSpec<T> {
  return { type, default: defaultText, description, group, usedBy, secret: options.secret ?? false };
}

/** The value type a spec produces. */
export type ValueOf<S> = S extends SettingSpec<infer T> ? T : never;
