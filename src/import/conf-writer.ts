// The imported settings as a conf file in the seed's format: KEY=value lines grouped as in
// conf/orbis.conf.example, each followed by where its value came from on the Pi, then the
// upstream variables that were not carried over and why. Pure; read back by the same parser.
import { isSecret, type Secret } from '../redact/secret.js';
import { SETTING_NAMES, SETTINGS, type SettingName } from '../config/settings.js';
import type { SettingGroup } from '../config/settings/spec.js';
import type { CarriedSetting, SourceRef, VariableRow } from './reconcile.js';

const GROUP_TITLES: Record<SettingGroup, string> = {
  platforms: 'Platforms',
  dlive: 'DLive (plain RTMP)',
  kick: 'Kick (RTMPS, through stunnel)',
  encode: 'The encode',
  relay: 'The local relay (nginx-rtmp, stunnel)',
  btfs: 'BTFS (where the videos come from)',
  playlist: 'The playlist',
  watermark: 'Watermark',
  slate: 'Slate',
  cache: 'Prefetch cache',
  logs: 'Logs',
  upstream: 'Upstream only',
  system: 'The Pi itself: host name, time zone, packages',
  ssh: 'SSH on a fresh Pi (first contact, hardening under a safety net)',
};

/** A value as the conf parser reads it back: bare when it is a plain word, else "double-quoted". */
export function confValue(value: string): string {
  if (/^[A-Za-z0-9_.:/@%+,-]+$/.test(value) && !value.startsWith('~')) return value;
  return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

export function sourceText(ref: SourceRef): string {
  return `${ref.file}${ref.line === undefined ? '' : `:${ref.line}`} (${ref.what})`;
}

export interface ConfHeader {
  /** `pi@10.0.0.12 (salon)` */
  from: string;
  project: string;
  date: Date;
  /** Where the keys went, when not in this file. */
  keysElsewhere?: string;
}

/** Comments never hold a line break: the parser would read the rest as an assignment. */
function comment(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

export function renderConf(
  settings: ReadonlyMap<SettingName, CarriedSetting>,
  variables: readonly VariableRow[],
  header: ConfHeader,
  /** Secret settings written empty, with this note (their values went to the secrets file). */
  withheld: ReadonlyMap<SettingName, string> = new Map(),
): string {
  const out: string[] = [
    '# =============================================================================',
    `# orbis.conf imported by \`orbis import\` from ${comment(header.from)}`,
    `# on ${header.date.toISOString().slice(0, 10)}, out of upstream Orbis Alternis (${comment(header.project)}),`,
    '# its nginx, stunnel and BTFS files. Each value says where on the Pi it was read.',
    header.keysElsewhere
      ? `# The stream keys are in ${comment(header.keysElsewhere)}, not here.`
      : '# It holds the stream keys: keep it private (mode 0600) and out of git.',
    '# Settings not written here keep orbis\'s defaults (see conf/orbis.conf.example).',
    '# =============================================================================',
  ];
  let group: SettingGroup | undefined;
  for (const name of SETTING_NAMES) {
    const carried = settings.get(name);
    const note = withheld.get(name);
    if (carried === undefined && note === undefined) continue;
    const spec = SETTINGS[name];
    if (spec.group !== group) {
      group = spec.group;
      out.push('', `# --- ${GROUP_TITLES[group]} ---`);
    }
    if (note !== undefined) {
      out.push(`${name}=""   # ${comment(note)}`);
      continue;
    }
    const value = (carried as CarriedSetting).value;
    const text = isSecret(value) ? (value as Secret).reveal() : (value as string);
    out.push(`${name}=${confValue(text)}   # ${comment(sourceText((carried as CarriedSetting).from))}`);
  }
  const notCarried = variables.filter((v) => v.status === 'mapped' || v.status === 'dropped');
  if (notCarried.length > 0) {
    out.push('', '# --- Upstream variables not carried over, and why ---');
    for (const row of notCarried) {
      const target = row.replacedBy && row.replacedBy.length > 0 ? ` -> ${row.replacedBy.join(', ')}` : '';
      out.push(`# ${row.variable}${target}: ${comment(row.reason)}`);
    }
  }
  return `${out.join('\n')}\n`;
}
