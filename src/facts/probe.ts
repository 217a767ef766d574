// Facts in ONE round trip: a single bash script (src/pi/facts.sh), run as root, asks the host
// everything the plan needs (os, arch, Pi model, package versions, unit states, stat + sha256 of
// every managed path, users, groups, guard commands, FFmpeg encoders, orbis's own manifest and
// pending handlers) and prints it as records (src/wire/facts.ts) that `parseFacts` turns back
// into HostFacts.
import type { HostFacts, PathFact, UnitFact } from './types.js';
import { composeScript } from '../pi/scripts.js';
import { ENCODERS_CACHE_PATH, MANIFEST_PATH, PENDING_HANDLERS_PATH, UNVALIDATED_DIR } from '../pi/state.js';
import { UNIT_PROPERTIES } from '../pi/units.js';
import { FACTS_RECORDS } from '../wire/facts.js';
import { decodeRecords, type DecodedRecord } from '../wire/records.js';

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

/**
 * The probe's records (src/wire/facts.ts) -> HostFacts. Tags it does not know are skipped (a newer
 * probe, an older parser); a malformed record throws, naming it.
 */
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
  for (const r of decodeRecords(output, FACTS_RECORDS, 'facts probe')) {
    switch (r.tag) {
      case 'OS':
        facts.os = { id: r.id, versionId: r.versionId, codename: r.codename, prettyName: r.prettyName };
        break;
      case 'ARCH':
        facts.arch = r.arch;
        break;
      case 'KERNEL':
        facts.kernel = r.release;
        break;
      case 'HOSTNAME':
        facts.hostname = r.name;
        break;
      case 'UID':
        facts.root = r.uid === 0;
        break;
      case 'MODEL':
        facts.piModel = r.model || null;
        break;
      case 'V4L2':
        facts.hasV4l2Encoder = r.present;
        break;
      case 'ENCODER':
        if (r.name) facts.encoders.push(r.name);
        break;
      case 'MANIFEST': {
        const manifest = parseManifest(r.json);
        facts.manifest = manifest.hashes;
        facts.manifestRoles = manifest.roles;
        facts.manifestInstalled = manifest.installed;
        break;
      }
      case 'PENDING':
        facts.pendingHandlers = r.handlers
          .split('\n')
          .map((h) => h.trim())
          .filter((h) => h.length > 0);
        break;
      case 'UNVALIDATED': {
        const files = r.files
          .split('\n')
          .map((line) => line.split('\t'))
          .flatMap(([runId, path]) => (runId && path ? [{ runId, path }] : []));
        if (r.role && files.length > 0) facts.unvalidated[r.role] = files;
        break;
      }
      case 'PKG':
        if (r.name && r.status.startsWith('ii')) facts.packages[r.name] = r.version;
        break;
      case 'UNIT': {
        const unit = parseUnit(r.properties);
        if (unit) facts.units[unit[0]] = unit[1];
        break;
      }
      case 'PATH':
        if (r.path) facts.paths[r.path] = parsePath(r);
        break;
      case 'PASSWD': {
        const [name, , uid, gid, , home, shell] = r.entry.split(':');
        if (name) facts.users[name] = { uid: Number(uid), gid: Number(gid), home: home ?? '', shell: shell ?? '', groups: facts.users[name]?.groups ?? [] };
        break;
      }
      case 'MEMBER': {
        const user = facts.users[r.user];
        if (user) user.groups = (r.groups ?? '').split(' ').map((g) => g.trim()).filter((g) => g.length > 0);
        break;
      }
      case 'GROUP':
        if (r.name) facts.groups[r.name] = { gid: r.gid };
        break;
      case 'CONTENT': {
        const target = facts.paths[r.path];
        if (target) target.content = r.content;
        break;
      }
      case 'GUARD': {
        facts.guards[r.command] = r.held;
        const said = (r.said ?? '').trim();
        if (said !== '') (facts.guardsSaid ??= {})[r.command] = said;
        break;
      }
    }
  }
  // Every path asked about has an entry, even if the probe was cut short: absent is the safe guess.
  for (const p of spec.paths) facts.paths[p] ??= { exists: false };
  return facts;
}

function parsePath(r: Extract<DecodedRecord<typeof FACTS_RECORDS>, { tag: 'PATH' }>): PathFact {
  if (r.kind === 'absent') return { exists: false };
  if (r.kind === 'other') return { exists: true, type: 'other' };
  if (r.kind === 'link') return { exists: true, type: 'link', linkTarget: r.linkTarget ?? '' };
  const fact: PathFact = {
    exists: true,
    type: r.kind === 'file' ? 'file' : 'directory',
    mode: octal(r.mode),
    owner: r.owner,
    group: r.group,
    size: Number(r.size),
  };
  if (r.kind === 'file' && r.sha256 && r.sha256 !== '-') fact.sha256 = r.sha256;
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
