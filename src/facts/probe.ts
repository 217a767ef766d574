// Facts in ONE round trip: a single bash script (src/pi/facts.sh), run as root, asks the host
// everything the plan needs (os, arch, Pi model, package versions, unit states, stat + sha256 of
// every managed path, users, groups, guard commands, FFmpeg encoders, orbis's own manifest and
// pending handlers) and prints it as tagged, tab-separated lines that `parseFacts` turns back into
// HostFacts.
import type { HostFacts, PathFact, UnitFact } from './types.js';
import { composeScript } from '../pi/scripts.js';
import { ENCODERS_CACHE_PATH, MANIFEST_PATH, PENDING_HANDLERS_PATH, UNVALIDATED_DIR } from '../pi/state.js';
import { UNIT_PROPERTIES } from '../pi/units.js';

export { ENCODERS_CACHE_PATH, MANIFEST_PATH, ORBIS_STATE_DIR, PENDING_HANDLERS_PATH, UNVALIDATED_DIR } from '../pi/state.js';

/** What the plan needs to know about; derived from the desired resources. */
export interface ProbeSpec {
  packages: string[];
  units: string[];
  paths: string[];
  users: string[];
  groups: string[];
  /** `unless` guard commands, run as root; only their exit status is reported. */
  guards: string[];
  /** Files whose current content to fetch (for diffs in check mode); small files only. */
  contents?: string[];
}

/** Larger files are reported by hash only: a diff of them is not worth the transfer. */
const MAX_CONTENT_BYTES = 256 * 1024;


function uniq(values: readonly string[] | undefined): string[] {
  return [...new Set(values ?? [])];
}

/**
 * The probe script (src/pi/facts.sh, which says what it asks and prints). Pure: the same spec
 * gives the same script. `encodersCache`: where FFmpeg's encoder list is kept between runs.
 */
export function buildProbeScript(spec: ProbeSpec, options: { encodersCache?: string } = {}): string {
  return composeScript({
    vars: {
      MANIFEST: MANIFEST_PATH,
      PENDING_HANDLERS: PENDING_HANDLERS_PATH,
      UNVALIDATED_DIR,
      ENCODERS_CACHE: options.encodersCache ?? ENCODERS_CACHE_PATH,
      UNIT_PROPERTIES,
      MAX_CONTENT_BYTES,
      PACKAGES: uniq(spec.packages),
      UNITS: uniq(spec.units),
      PATHS: uniq(spec.paths),
      CONTENTS: uniq(spec.contents),
      USER_NAMES: uniq(spec.users),
      GROUP_NAMES: uniq(spec.groups),
      GUARDS: uniq(spec.guards),
      GUARD_IDS: uniq(spec.guards).map((g) => Buffer.from(g).toString('base64')),
    },
    files: ['common.sh', 'facts.sh'],
  });
}

function fromB64(value: string | undefined): string {
  return value ? Buffer.from(value, 'base64').toString('utf8') : '';
}

function octal(mode: string | undefined): string | undefined {
  return mode === undefined ? undefined : mode.padStart(4, '0');
}

function parseUnit(fields: string[]): [string, UnitFact] | undefined {
  const props = new Map<string, string>();
  for (const f of fields) {
    const eq = f.indexOf('=');
    if (eq > 0) props.set(f.slice(0, eq), f.slice(eq + 1));
  }
  const id = props.get('Id');
  if (!id) return undefined;
  return [
    id,
    {
      load: props.get('LoadState') ?? '',
      active: props.get('ActiveState') ?? '',
      enabled: props.get('UnitFileState') ?? '',
      restarts: Number(props.get('NRestarts') ?? 0),
      activeSince: props.get('ActiveEnterTimestampMonotonic') ?? '',
    },
  ];
}

/** Parse the probe's output. Lines it does not know are ignored (a newer probe, an older parser). */
export function parseFacts(output: string, spec: ProbeSpec): HostFacts {
  const facts: HostFacts = {
    os: { id: '', versionId: '', codename: '', prettyName: '' },
    arch: '',
    kernel: '',
    hostname: '',
    piModel: null,
    packages: {},
    units: {},
    paths: {},
    users: {},
    groups: {},
    guards: {},
    encoders: [],
    hasV4l2Encoder: false,
    manifest: {},
    manifestRoles: {},
    manifestInstalled: {},
    unvalidated: {},
    pendingHandlers: [],
    root: false,
  };
  for (const line of output.split('\n')) {
    const f = line.split('\t');
    switch (f[0]) {
      case 'OS':
        facts.os = { id: f[1] ?? '', versionId: f[2] ?? '', codename: f[3] ?? '', prettyName: fromB64(f[4]) };
        break;
      case 'ARCH':
        facts.arch = f[1] ?? '';
        break;
      case 'KERNEL':
        facts.kernel = f[1] ?? '';
        break;
      case 'HOSTNAME':
        facts.hostname = f[1] ?? '';
        break;
      case 'UID':
        facts.root = f[1] === '0';
        break;
      case 'MODEL':
        facts.piModel = fromB64(f[1]) || null;
        break;
      case 'V4L2':
        facts.hasV4l2Encoder = true;
        break;
      case 'ENCODER':
        if (f[1]) facts.encoders.push(f[1]);
        break;
      case 'MANIFEST': {
        const manifest = parseManifest(fromB64(f[1]));
        facts.manifest = manifest.hashes;
        facts.manifestRoles = manifest.roles;
        facts.manifestInstalled = manifest.installed;
        break;
      }
      case 'PENDING':
        facts.pendingHandlers = fromB64(f[1])
          .split('\n')
          .map((h) => h.trim())
          .filter((h) => h.length > 0);
        break;
      case 'UNVALIDATED': {
        const files = fromB64(f[2])
          .split('\n')
          .map((line) => line.split('\t'))
          .flatMap(([runId, path]) => (runId && path ? [{ runId, path }] : []));
        if (f[1] && files.length > 0) facts.unvalidated[f[1]] = files;
        break;
      }
      case 'PKG':
        if (f[1] && (f[2] ?? '').startsWith('ii')) facts.packages[f[1]] = f[3] ?? '';
        break;
      case 'UNIT': {
        const unit = parseUnit(f.slice(1));
        if (unit) facts.units[unit[0]] = unit[1];
        break;
      }
      case 'PATH': {
        const path = f[1];
        if (path) facts.paths[path] = parsePath(f);
        break;
      }
      case 'PASSWD': {
        const [name, , uid, gid, , home, shell] = f.slice(1).join('\t').split(':');
        if (name) facts.users[name] = { uid: Number(uid), gid: Number(gid), home: home ?? '', shell: shell ?? '', groups: facts.users[name]?.groups ?? [] };
        break;
      }
      case 'MEMBER': {
        const user = f[1] ? facts.users[f[1]] : undefined;
        if (user) user.groups = (f[2] ?? '').split(' ').map((g) => g.trim()).filter((g) => g.length > 0);
        break;
      }
      case 'GROUP':
        if (f[1]) facts.groups[f[1]] = { gid: Number(f[2]) };
        break;
      case 'CONTENT': {
        const target = f[1] ? facts.paths[f[1]] : undefined;
        if (target) target.content = fromB64(f[2]);
        break;
      }
      case 'GUARD': {
        const guard = fromB64(f[1]);
        facts.guards[guard] = f[2] === '1';
        const said = f[3] ? fromB64(f[3]).trim() : '';
        if (said !== '') (facts.guardsSaid ??= {})[guard] = said;
        break;
      }
      default:
        break;
    }
  }
  // Every path asked about has an entry, even if the probe was cut short: absent is the safe guess.
  for (const p of spec.paths) facts.paths[p] ??= { exists: false };
  return facts;
}

function parsePath(f: string[]): PathFact {
  const type = f[2];
  if (type === 'absent' || type === undefined) return { exists: false };
  if (type === 'other') return { exists: true, type: 'other' };
  if (type === 'link') return { exists: true, type: 'link', linkTarget: fromB64(f[8]) };
  const fact: PathFact = {
    exists: true,
    type: type === 'file' ? 'file' : 'directory',
    mode: octal(f[3]),
    owner: f[4],
    group: f[5],
    size: Number(f[6]),
  };
  if (type === 'file' && f[7] && f[7] !== '-') fact.sha256 = f[7];
  return fact;
}

export interface ManifestEntry {
  sha256: string;
  role: string;
  /** Extracted downloads only: sha256 of the installed file (sha256 is the archive's). */
  installed?: string;
}

/** manifest.json: { version: 2, files: { "/path": { sha256, role, installed? } } }. */
export function parseManifest(text: string): { hashes: Record<string, string>; roles: Record<string, string>; installed: Record<string, string> } {
  const hashes: Record<string, string> = {};
  const roles: Record<string, string> = {};
  const installed: Record<string, string> = {};
  try {
    const data = JSON.parse(text) as { files?: Record<string, ManifestEntry> };
    for (const [path, entry] of Object.entries(data.files ?? {})) {
      if (typeof entry?.sha256 !== 'string') continue;
      hashes[path] = entry.sha256;
      roles[path] = typeof entry.role === 'string' ? entry.role : '';
      if (typeof entry.installed === 'string' && /^[0-9a-f]{64}$/.test(entry.installed)) installed[path] = entry.installed;
    }
  } catch {
    // A corrupt manifest must not stop a run: treat it as empty (stale files are then kept).
  }
  return { hashes, roles, installed };
}
