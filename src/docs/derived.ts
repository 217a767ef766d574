// Which settings each derived value of the render context is made from: `encode.encoderArgs`
// from the bitrates, GOP, preset, profile and level; `platforms.kick` from PLATEFORMES and
// KICK_ACTIF; `playlist` from LISTE_LECTURE, BTFS_PASSERELLE and BTFS_HASH_TEST; ...
//
// Found by running the real code, not from a list kept by hand: each setting is changed in turn
// (to another value it allows) and every part of every derived value compared, from the defaults
// with each platform choice, on a Pi 4 and on amd64. A setting the value's code reads but that no
// valid change shows in any part (GOP may only equal 2 x DEBIT_IMAGES) counts for the value as a
// whole. Limit: an effect that shows only away from the defaults is not seen (turning Kick off
// changes the encode's bitrate only when Kick's is the lower one, which it is not by default).
import {
  deriveEncode, enabledPlatforms, isSecret, isSettingName, loadSettings, SETTING_NAMES, SETTINGS,
  type LoadedSettings, type SettingName, type Settings,
} from '../config/index.js';
import { readPlaylist } from '../config/playlist.js';
import { renderContext } from '../roles/context.js';
import type { HostFacts } from '../facts/types.js';

/** Context values orbis derives (roles/context.ts), as opposed to settings and role variables. */
export const DERIVED_ROOTS = ['platforms', 'encode', 'playlist', 'btfs', 'host', 'orbis'] as const;
export type DerivedRoot = (typeof DERIVED_ROOTS)[number];

export function isDerivedRoot(name: string): name is DerivedRoot {
  return (DERIVED_ROOTS as readonly string[]).includes(name);
}

// The platform choices and architectures a value may depend on. Both BTFS checksums are set so
// that the download resolves on either architecture (they are only compared, never used).
const SCENARIOS: ReadonlyArray<{ vars: string[]; arch: string }> = ['', 'dlive', 'kick'].flatMap((platforms) =>
  ['arm64', 'amd64'].map((arch) => ({
    vars: [`PLATEFORMES=${platforms}`, `BTFS_SHA256_ARM64=${'a'.repeat(64)}`, `BTFS_SHA256_AMD64=${'b'.repeat(64)}`],
    arch,
  })),
);

// arm64 stands for a Pi 4 whose FFmpeg has the hardware encoder, amd64 for a machine without it,
// so that ENCODEUR_VIDEO=auto resolves differently on each.
function factsFor(arch: string): HostFacts {
  const pi4 = arch === 'arm64';
  return {
    os: { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
    arch, kernel: '', hostname: 'pi', piModel: pi4 ? 'Raspberry Pi 4 Model B Rev 1.5' : null,
    packages: pi4 ? { ffmpeg: '7:5.1.6-0+deb12u1' } : {}, units: {}, paths: {}, users: {}, groups: {}, guards: {},
    encoders: pi4 ? ['libx264', 'h264_v4l2m2m'] : [], hasV4l2Encoder: pi4,
    manifest: {}, manifestRoles: {}, manifestInstalled: {}, unvalidated: {}, pendingHandlers: [], root: true,
  };
}

/** A derived value's parts: `encode.fps`, `platforms.kick`, `playlist` (a list is one part). */
type Outcomes = Map<string, string>;

function outcomesOf(loaded: LoadedSettings, facts: HostFacts): Outcomes | undefined {
  let context: Record<string, unknown>;
  try {
    context = renderContext(loaded, { values: {} }, facts, '0.0.0');
  } catch {
    return undefined; // e.g. an encoder choice refused: the change made the settings invalid
  }
  const out: Outcomes = new Map();
  const record = (path: string, read: () => unknown): void => {
    try {
      out.set(path, JSON.stringify(read()) ?? 'undefined');
    } catch (error) {
      out.set(path, `error: ${(error as Error).message}`); // a getter that fails: an outcome too
    }
  };
  for (const root of DERIVED_ROOTS) {
    let value: unknown;
    try {
      value = context[root]; // a getter (playlist, btfs) may fail: that is its outcome
    } catch (error) {
      out.set(root, `error: ${(error as Error).message}`);
      continue;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const key of Object.keys(value)) record(`${root}.${key}`, () => (value as Record<string, unknown>)[key]);
    } else {
      record(root, () => value);
    }
  }
  return out;
}

/** Settings as validate.ts turns them into LoadedSettings; undefined when the encode is refused. */
function loadedFrom(settings: Settings, base: LoadedSettings): LoadedSettings | undefined {
  let encode;
  try {
    encode = deriveEncode(settings).encode;
  } catch {
    return undefined;
  }
  if (encode === undefined) return undefined;
  return { ...base, settings, platforms: encode.platforms, encode };
}

/**
 * Other values a user could have written: the words and numbers of the setting's own description
 * of what it allows ("one of dlive, kick, toutes", "a whole number from 500 to 20000"), small
 * changes of the current value, and, for an unset one, the numbers other settings hold (an unset
 * bitrate then tries the platforms' bitrates). Each is read with the setting's own schema;
 * invalid ones are dropped.
 */
function changedValues(name: SettingName, value: unknown, numbers: readonly number[]): unknown[] {
  const type = SETTINGS[name].type;
  const texts: string[] = [];
  if (typeof value === 'number') texts.push(String(value + 2), String(value - 2), String(value * 2), String(Math.floor(value / 2)));
  if (typeof value === 'string') texts.push(value.replace(/[0-9a-y](?=[^0-9a-z]*$)/, (c) => (c === '9' ? '0' : String.fromCharCode(c.charCodeAt(0) + 1))), `${value}x`);
  if (typeof value === 'boolean') texts.push(String(!value));
  texts.push(...type.allowed.split(/[\s,()]+/).filter((w) => w.length > 0));
  if (value === undefined) texts.push(...numbers.map(String));
  const values = texts.flatMap((text) => {
    const parsed = type.schema.safeParse(text);
    return parsed.success && parsed.data !== undefined && parsed.data !== value ? [parsed.data as unknown] : [];
  });
  // A few suffice to show where a setting goes; more only cost time.
  return [...new Set(values)].slice(0, 6);
}

/** Records the settings read through `settings` while `recording` is on. */
export class ReadTracker {
  readonly read = new Set<SettingName>();
  recording = true;
  readonly settings: Settings;

  constructor(settings: Settings) {
    this.settings = new Proxy(settings, {
      get: (target, key, receiver) => {
        if (this.recording && typeof key === 'string' && isSettingName(key)) this.read.add(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  }
}

/** The settings a function reads; what it read before failing counts too. */
function readsOf(settings: Settings, use: (tracked: Settings) => unknown): Set<SettingName> {
  const tracker = new ReadTracker(settings);
  try {
    use(tracker.settings);
  } catch {
    // an invalid combination: the reads so far still say what the value is made of
  }
  return tracker.read;
}

/** What each derived root is computed from (the same functions roles/context.ts and validate.ts use). */
function rootReads(loaded: LoadedSettings, facts: HostFacts): Map<DerivedRoot, Set<SettingName>> {
  const s = loaded.settings;
  // renderContext copies every setting into the context: only what the getter reads counts.
  const btfsReads = (): Set<SettingName> => {
    const tracker = new ReadTracker(s);
    tracker.recording = false;
    const context = renderContext({ ...loaded, settings: tracker.settings }, { values: {} }, facts, '0.0.0');
    tracker.recording = true;
    try {
      void context.btfs;
    } catch {
      // as readsOf
    }
    return tracker.read;
  };
  return new Map<DerivedRoot, Set<SettingName>>([
    ['platforms', readsOf(s, (t) => enabledPlatforms(t))],
    ['encode', readsOf(s, (t) => deriveEncode(t))],
    ['playlist', readsOf(s, (t) => readPlaylist({ ...loaded, settings: t }))],
    ['btfs', btfsReads()],
    ['host', new Set()],
    ['orbis', new Set()],
  ]);
}

export type DerivedSources = ReadonlyMap<string, ReadonlySet<SettingName>>;

/** For each part of each derived value (`encode.fps`, `platforms.kick`, `playlist`), the settings it comes from. */
function addTo<K>(map: Map<K, Set<SettingName>>, key: K, name: SettingName): void {
  const set = map.get(key) ?? new Set<SettingName>();
  set.add(name);
  map.set(key, set);
}

export function derivedSources(): DerivedSources {
  const sources = new Map<string, Set<SettingName>>();
  const shown = new Map<DerivedRoot, Set<SettingName>>();
  const read = new Map<DerivedRoot, Set<SettingName>>();
  for (const scenario of SCENARIOS) {
    const base = loadSettings({ env: {}, vars: scenario.vars });
    const facts = factsFor(scenario.arch);
    const before = outcomesOf(base, facts);
    if (before === undefined) throw new Error(`internal: the default settings do not render (${scenario.vars.join(' ')})`);
    for (const path of before.keys()) if (!sources.has(path)) sources.set(path, new Set());
    for (const [root, names] of rootReads(base, facts)) for (const name of names) addTo(read, root, name);
    const numbers = [...new Set(Object.values(base.settings).flatMap((v) => (typeof v === 'number' ? [v, v - 2, v + 2] : [])))];
    for (const name of SETTING_NAMES) {
      if (isSecret(base.settings[name])) continue;
      for (const value of changedValues(name, base.settings[name], numbers)) {
        const loaded = loadedFrom({ ...base.settings, [name]: value }, base);
        const after = loaded && outcomesOf(loaded, facts);
        if (after === undefined) continue;
        for (const [path, outcome] of before) {
          if (after.get(path) === outcome) continue;
          addTo(sources, path, name);
          addTo(shown, path.split('.')[0] as DerivedRoot, name);
        }
      }
    }
  }
  // Read, yet no valid change showed which part it goes to (GOP may only equal 2 x DEBIT_IMAGES):
  // it counts for the value as a whole, and so for every role that uses any part of it.
  for (const [root, names] of read) {
    for (const name of names) if (!shown.get(root)?.has(name)) addTo(sources, root, name);
  }
  return sources;
}

export interface SettingBehind {
  setting: SettingName;
  /** The part it reaches the path through (`encode.encoderArgs`), or the whole value (`encode`). */
  via: string;
}

/** The settings behind a context path a role names (`encode.encoderArgs`, `platforms`, `btfs.url`). */
export function settingsBehind(path: string, sources: DerivedSources): SettingBehind[] {
  const parts = path.split('.');
  const root = parts[0] ?? path;
  const part = parts.slice(0, 2).join('.');
  const found = new Map<SettingName, string>();
  const partsAsked = parts.length >= 2 ? [part] : [...sources.keys()].filter((p) => p.startsWith(`${root}.`));
  for (const p of partsAsked) for (const setting of sources.get(p) ?? []) if (!found.has(setting)) found.set(setting, p);
  for (const setting of sources.get(root) ?? []) if (!found.has(setting)) found.set(setting, root);
  return [...found].map(([setting, via]) => ({ setting, via }));
}
