// Facts in ONE round trip: a single bash script, run as root, asks the host everything the plan
// needs (os, arch, Pi model, package versions, unit states, stat + sha256 of every managed path,
// users, groups, guard commands, FFmpeg encoders, orbis's own manifest and pending handlers) and
// prints it as tagged, tab-separated lines that `parseFacts` turns back into HostFacts.
//
// Why a hand-written line format rather than JSON built in bash: bash has no JSON encoder, and
// every value we print is either a token without tabs/newlines or is base64-encoded.
import type { HostFacts, PathFact, UnitFact } from '../resources/types.js';
import { dirname } from 'node:path';
import { shq } from '../util/shell.js';

export const ORBIS_STATE_DIR = '/var/lib/orbis';
export const MANIFEST_PATH = `${ORBIS_STATE_DIR}/manifest.json`;
export const PENDING_HANDLERS_PATH = `${ORBIS_STATE_DIR}/pending-handlers`;
/** One file per role: `<run id>\t<path>` for each file written and not yet validated as a whole. */
export const UNVALIDATED_DIR = `${ORBIS_STATE_DIR}/unvalidated`;

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

const UNIT_PROPERTIES = 'Id,LoadState,ActiveState,UnitFileState,NRestarts,ActiveEnterTimestampMonotonic';

/** Where the probe keeps FFmpeg's encoder list between runs (orbis's own state, root only). */
export const ENCODERS_CACHE_PATH = `${ORBIS_STATE_DIR}/ffmpeg-encoders`;

/**
 * FFmpeg's H.264 encoders. Starting ffmpeg costs more than the whole rest of the probe (about
 * 130 ms on a lab host, more on a Pi), so the answer is kept in ENCODERS_CACHE_PATH under a key
 * that changes whenever the answer can: the ffmpeg binary (device, inode, size, mtime), the
 * package database (any apt/dpkg change) and the dynamic linker's cache (new libraries). The
 * cache is only written once orbis's state directory exists (after a first apply), and never
 * holds an empty answer.
 */
function encoderLines(cachePath: string): string[] {
  const cache = shq(cachePath);
  const dir = shq(dirname(cachePath));
  return [
    `if f=$(command -v ffmpeg 2>/dev/null); then c=${cache}`,
    `  k=$(stat -L -c '%d:%i:%s:%Y' -- "$f" /var/lib/dpkg/status /etc/ld.so.cache 2>/dev/null | tr '\\n' ' ')`,
    `  if [ -f "$c" ] && { IFS= read -r h < "$c"; [ "$h" = "$k" ]; }; then tail -n +2 "$c"`,
    `  else e=$(ffmpeg -hide_banner -encoders 2>/dev/null | awk '$2 ~ /264/ {print "ENCODER\\t" $2}'); [ -z "$e" ] || printf '%s\\n' "$e"`,
    `    if [ -n "$e" ] && [ -d ${dir} ]; then printf '%s\\n%s\\n' "$k" "$e" > "$c.tmp" && mv -f "$c.tmp" "$c"; fi`,
    '  fi',
    'fi',
  ];
}

function list(values: string[]): string {
  return [...new Set(values)].map(shq).join(' ');
}

/** The probe script. Pure: the same spec gives the same script. */
export function buildProbeScript(spec: ProbeSpec, options: { encodersCache?: string } = {}): string {
  const lines: string[] = [
    'set -u',
    'export LC_ALL=C',
    // Every process the probe starts costs a few ms on a Pi: bash builtins and variables where
    // they do, base64 straight to the output instead of through $(...), one command per kind
    // of question rather than one per path, user or group.
    'b64() { base64 -w0; }',
    'declare -A size=()',
    // os-release is sourced in a subshell: its values never leak into ours.
    `( . /etc/os-release 2>/dev/null; printf 'OS\\t%s\\t%s\\t%s\\t' "\${ID:-}" "\${VERSION_ID:-}" "\${VERSION_CODENAME:-}"; printf %s "\${PRETTY_NAME:-}" | b64; echo )`,
    `printf 'ARCH\\t%s\\n' "$(dpkg --print-architecture 2>/dev/null || uname -m)"`,
    `read -r kernel < /proc/sys/kernel/osrelease; printf 'KERNEL\\t%s\\nHOSTNAME\\t%s\\nUID\\t%s\\n' "$kernel" "$HOSTNAME" "$EUID"`,
    `if [ -r /proc/device-tree/model ]; then printf 'MODEL\\t'; tr -d '\\0' < /proc/device-tree/model | b64; echo; fi`,
    `if [ -e /dev/video11 ]; then printf 'V4L2\\t1\\n'; fi`,
    ...encoderLines(options.encodersCache ?? ENCODERS_CACHE_PATH),
    `if [ -r ${MANIFEST_PATH} ]; then printf 'MANIFEST\\t'; b64 < ${MANIFEST_PATH}; echo; fi`,
    `if [ -r ${PENDING_HANDLERS_PATH} ]; then printf 'PENDING\\t'; b64 < ${PENDING_HANDLERS_PATH}; echo; fi`,
    `for u in ${UNVALIDATED_DIR}/*; do if [ -r "$u" ]; then printf 'UNVALIDATED\\t%s\\t' "\${u##*/}"; b64 < "$u"; echo; fi; done 2>/dev/null`,
  ];
  if (spec.packages.length > 0) {
    // Status abbreviation "ii " means installed; anything else (rc, un) is not.
    lines.push(
      `dpkg-query -W -f='PKG\\t\${Package}\\t\${db:Status-Abbrev}\\t\${Version}\\n' ${list(spec.packages)} 2>/dev/null || true`,
    );
  }
  if (spec.units.length > 0) {
    lines.push(
      `systemctl show --no-pager -p ${UNIT_PROPERTIES} -- ${list(spec.units)} 2>/dev/null | awk 'BEGIN{RS=""; FS="\\n"} {line="UNIT"; for (i=1;i<=NF;i++) line=line "\\t" $i; print line}'`,
    );
  }
  if (spec.paths.length > 0) lines.push(...pathLines(spec.paths));
  if (spec.contents && spec.contents.length > 0) {
    lines.push(
      `for p in ${list(spec.contents)}; do`,
      // The size is known when the path was asked about too; otherwise ask stat.
      `  if [ -f "$p" ] && [ "\${size[$p]:-$(stat -c %s -- "$p")}" -le ${MAX_CONTENT_BYTES} ]; then printf 'CONTENT\\t%s\\t' "$p"; b64 < "$p"; echo; fi`,
      'done',
    );
  }
  if (spec.users.length > 0) {
    // getent: the passwd entries of those that exist; id: their groups (as NSS says, like login).
    lines.push(
      `while IFS= read -r e; do printf 'PASSWD\\t%s\\nMEMBER\\t%s\\t' "$e" "\${e%%:*}"; id -Gn -- "\${e%%:*}" 2>/dev/null || echo; done < <(getent passwd ${list(spec.users)})`,
    );
  }
  if (spec.groups.length > 0) {
    lines.push(`while IFS=: read -r n _ gid _; do printf 'GROUP\\t%s\\t%s\\n' "$n" "$gid"; done < <(getent group ${list(spec.groups)})`);
  }
  for (const guard of new Set(spec.guards)) {
    lines.push(
      // What it printed goes back only when it did not hold (a precondition explaining itself).
      `if said=$( ( ${guard} ) 2>/dev/null </dev/null ); then r=1; said=; else r=0; fi; printf 'GUARD\\t%s\\t%s\\t%s\\n' ${shq(Buffer.from(guard).toString('base64'))} "$r" "$(printf %s "\${said:0:400}" | tr -d '\\000-\\037' | base64 -w0)"`,
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * stat and hash of every path: the paths are sorted by kind with bash tests, then ONE stat for the
 * directories, ONE stat and ONE sha256sum for the files (joined by name, never by position: a
 * file that vanished in between must not shift the others' hashes). Links and other kinds are
 * rare and printed one by one. `size` keeps each file's size for the CONTENT step.
 */
function pathLines(paths: string[]): string[] {
  return [
    'declare -A sum=(); files=(); dirs=()',
    `for p in ${list(paths)}; do`,
    `  if [ -L "$p" ]; then printf 'PATH\\t%s\\tlink\\t-\\t-\\t-\\t-\\t-\\t' "$p"; readlink -- "$p" | tr -d '\\n' | b64; echo;`,
    '  elif [ -f "$p" ]; then files+=("$p");',
    '  elif [ -d "$p" ]; then dirs+=("$p");',
    `  elif [ -e "$p" ]; then printf 'PATH\\t%s\\tother\\n' "$p";`,
    `  else printf 'PATH\\t%s\\tabsent\\n' "$p"; fi`,
    'done',
    `if [ \${#dirs[@]} -gt 0 ]; then stat --printf 'PATH\\t%n\\tdirectory\\t%a\\t%U\\t%G\\t%s\\t-\\n' -- "\${dirs[@]}" 2>/dev/null; fi`,
    'if [ ${#files[@]} -gt 0 ]; then',
    // sha256sum prints "HASH  NAME": 64 hex digits, 2 spaces, the name (a name with a backslash
    // or newline comes escaped and matches no file: that file is then reported without a hash,
    // which only costs a rewrite).
    '  while IFS= read -r l; do sum[${l:66}]=${l:0:64}; done < <(sha256sum -- "${files[@]}" 2>/dev/null)',
    `  while IFS=$'\\t' read -r p m o g s; do size[$p]=$s; printf 'PATH\\t%s\\tfile\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$p" "$m" "$o" "$g" "$s" "\${sum[$p]:--}"; done < <(stat --printf '%n\\t%a\\t%U\\t%G\\t%s\\n' -- "\${files[@]}" 2>/dev/null)`,
    'fi',
  ];
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
