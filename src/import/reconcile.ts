// One value per setting out of everything upstream left: its orbis.conf, the files its scripts
// generated from it (nginx's rtmp block), the files written by hand (stunnel.conf, btfs.service)
// and the streamer running now. When they disagree, a rule per setting says which one is the
// truth and why, and the disagreement is reported (never with a stream key's value).
import { isSecret, Secret } from '../redact/secret.js';
import { isSettingName, SETTINGS, type SettingName } from '../config/settings.js';
import { UPSTREAM_RULES, UPSTREAM_VARIABLES, type CompatStatus } from '../config/upstream-compat.js';
import type { UpstreamInstall } from './read-upstream.js';
import { chainIdIn } from './upstream-btfs.js';

/** Where a value was read: a file on the Pi (and line), or the running streamer. */
export interface SourceRef {
  file: string;
  line?: number;
  /** What in that file: 'DLive push', 'stunnel accept', 'BTFS_DAEMON_CMD', ... */
  what: string;
}

/** conf: orbis.conf; live: a file nginx, stunnel or systemd reads; running: the streamer's arguments. */
export type CandidateKind = 'conf' | 'live' | 'running';

export interface Candidate {
  name: SettingName;
  value: string | Secret;
  from: SourceRef;
  kind: CandidateKind;
}

export interface CarriedSetting {
  name: SettingName;
  value: string | Secret;
  from: SourceRef;
  /** Other sources that said the same. */
  confirmedBy: SourceRef[];
}

export interface Conflict {
  setting: SettingName;
  kept: SourceRef;
  over: SourceRef[];
  reason: string;
  /** The values, for settings that are not secrets. */
  values?: { kept: string; over: string[] };
}

export type VariableStatus = 'carried' | 'mapped' | 'dropped' | 'unset';

/** What became of one of upstream's variables (the 58, and any other name its file sets). */
export interface VariableRow {
  variable: string;
  status: VariableStatus;
  reason: string;
  /** Its line in upstream's orbis.conf, when the file sets it. */
  line?: number;
  /** Where the carried value came from (it may be a live file rather than orbis.conf). */
  from?: SourceRef;
  /** mapped: the orbis settings that take over. */
  replacedBy?: readonly string[];
}

export interface Reconciled {
  settings: Map<SettingName, CarriedSetting>;
  conflicts: Conflict[];
  variables: VariableRow[];
}

const REGENERATED = "upstream's diffuser.sh rewrites the rtmp block from orbis.conf at every start, so orbis.conf holds what its next start would use";
const HAND_WRITTEN_KICK = "upstream never read it from orbis.conf: its stunnel.conf, edited by hand, says where the Kick tunnel goes";
const RUNNING = 'the streamer running now was started with it';

interface Rule {
  prefer: readonly CandidateKind[];
  why: string;
}

const CONF_FIRST: Rule = { prefer: ['conf', 'live', 'running'], why: REGENERATED };
const RULES: Partial<Record<SettingName, Rule>> = {
  KICK_CHEMIN: { prefer: ['live', 'conf'], why: "upstream never read KICK_CHEMIN: its rtmp block hard-codes the Kick push's path" },
  KICK_SERVEUR_REEL: { prefer: ['live', 'conf'], why: HAND_WRITTEN_KICK },
  KICK_PORT_REEL: { prefer: ['live', 'conf'], why: HAND_WRITTEN_KICK },
  BTFS_CHAINE_ID: { prefer: ['live', 'conf'], why: 'btfs.service runs the daemon on it, and a BTFS repo stays on the chain it first ran on' },
  LISTE_LECTURE: { prefer: ['running', 'live', 'conf'], why: RUNNING },
  MELANGE: { prefer: ['running', 'conf'], why: RUNNING },
  BOUCLE: { prefer: ['running', 'conf'], why: RUNNING },
  FILIGRANE_ACTIF: { prefer: ['running', 'conf'], why: RUNNING },
};

function textOf(value: string | Secret): string {
  return isSecret(value) ? value.reveal() : value;
}

function isEmpty(value: string | Secret): boolean {
  return textOf(value) === '';
}

/** Every value upstream's files give, per setting, in the order they were found. */
export function gatherCandidates(install: UpstreamInstall, running: Candidate[] = []): Candidate[] {
  const out: Candidate[] = [];
  const confFile = install.conf.file.path;
  const add = (name: SettingName, value: string | Secret, from: SourceRef, kind: CandidateKind): void => {
    out.push({ name, value: SETTINGS[name].secret && !isSecret(value) ? new Secret(value, from.file) : value, from, kind });
  };

  for (const entry of install.conf.entries.values()) {
    const at = { file: confFile, line: entry.line };
    if (isSettingName(entry.key) && ruleStatus(entry.key) === 'used') add(entry.key, entry.value, { ...at, what: entry.key }, 'conf');
    // Mapped variables that still say something orbis keeps.
    if (entry.key === 'BTFS_API') {
      const port = /^https?:\/\/[^/:]+:(\d{1,5})(\/|$)/.exec(entry.value)?.[1];
      if (port !== undefined) add('BTFS_PORT_API', port, { ...at, what: 'the port of BTFS_API' }, 'conf');
    }
    if (entry.key === 'BTFS_DAEMON_CMD') {
      const chain = chainIdIn(entry.value);
      if (chain !== undefined) add('BTFS_CHAINE_ID', chain, { ...at, what: '--chain-id in BTFS_DAEMON_CMD' }, 'conf');
    }
  }

  const rtmp = install.rtmp;
  if (rtmp) {
    const at = (line: number, what: string): SourceRef => ({ file: rtmp.file, line, what });
    const { block } = rtmp;
    if (block.listen) add('NGINX_PORT_RTMP', String(block.listen.value.port), at(block.listen.line, 'rtmp listen'), 'live');
    if (block.application) add('NGINX_CHEMIN_APPLICATION', block.application.value, at(block.application.line, 'rtmp application'), 'live');
    const dlive = block.pushes.find((p) => p.platform === 'dlive');
    const kick = block.pushes.find((p) => p.platform === 'kick');
    const appLine = block.application?.line ?? 1;
    add('DLIVE_ACTIF', dlive ? 'true' : 'false', at(dlive?.line ?? appLine, dlive ? 'DLive push' : 'no DLive push'), 'live');
    add('KICK_ACTIF', kick ? 'true' : 'false', at(kick?.line ?? appLine, kick ? 'Kick push' : 'no Kick push'), 'live');
    if (dlive) {
      add('DLIVE_SERVEUR', dlive.server, at(dlive.line, 'DLive push'), 'live');
      add('DLIVE_CLE_FLUX', dlive.key, at(dlive.line, 'DLive push'), 'live');
    }
    if (kick) {
      add('STUNNEL_PORT_LOCAL', String(kick.port), at(kick.line, 'Kick push (to stunnel)'), 'live');
      add('KICK_CHEMIN', kick.path, at(kick.line, 'Kick push'), 'live');
      add('KICK_CLE_FLUX', kick.key, at(kick.line, 'Kick push'), 'live');
    }
  }

  const tunnel = install.stunnel?.tunnel;
  if (install.stunnel && tunnel) {
    const file = install.stunnel.file;
    add('STUNNEL_PORT_LOCAL', String(tunnel.accept.value.port), { file, line: tunnel.accept.line, what: 'stunnel accept' }, 'live');
    if (tunnel.connect) {
      add('KICK_SERVEUR_REEL', tunnel.connect.value.host, { file, line: tunnel.connect.line, what: 'stunnel connect' }, 'live');
      add('KICK_PORT_REEL', String(tunnel.connect.value.port), { file, line: tunnel.connect.line, what: 'stunnel connect' }, 'live');
    }
  }

  const chain = install.btfs?.unit.chainId;
  if (install.btfs && chain) add('BTFS_CHAINE_ID', chain.value, { file: install.btfs.file, line: chain.line, what: 'ExecStart --chain-id' }, 'live');

  const stats = install.stats;
  if (stats) add('NGINX_PORT_STATS', String(stats.site.listen.value.port), { file: stats.file, line: stats.site.listen.line, what: 'stats server listen' }, 'live');

  for (const c of running) add(c.name, c.value, c.from, c.kind);
  return out;
}

function ruleStatus(name: string): CompatStatus {
  return name in UPSTREAM_RULES ? UPSTREAM_RULES[name as keyof typeof UPSTREAM_RULES].status : 'used';
}

function describe(ref: SourceRef): string {
  return `${ref.what} (${ref.file}${ref.line === undefined ? '' : `:${ref.line}`})`;
}

/** Pick one value per setting; report the sources that disagree with it. */
export function decide(candidates: readonly Candidate[]): { settings: Map<SettingName, CarriedSetting>; conflicts: Conflict[] } {
  const byName = new Map<SettingName, Candidate[]>();
  for (const c of candidates) {
    if (isEmpty(c.value)) continue; // an empty key in orbis.conf says nothing against the live one
    byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  }
  const settings = new Map<SettingName, CarriedSetting>();
  const conflicts: Conflict[] = [];
  for (const [name, list] of byName) {
    const rule = RULES[name] ?? CONF_FIRST;
    const rank = (c: Candidate): number => {
      const i = rule.prefer.indexOf(c.kind);
      return i < 0 ? rule.prefer.length : i;
    };
    const sorted = [...list].sort((a, b) => rank(a) - rank(b));
    const winner = sorted[0] as Candidate;
    const same = sorted.slice(1).filter((c) => textOf(c.value) === textOf(winner.value));
    const other = sorted.slice(1).filter((c) => textOf(c.value) !== textOf(winner.value));
    settings.set(name, { name, value: winner.value, from: winner.from, confirmedBy: same.map((c) => c.from) });
    if (other.length > 0) {
      const conflict: Conflict = {
        setting: name,
        kept: winner.from,
        over: other.map((c) => c.from),
        reason: `${describe(winner.from)} differs from ${other.map((c) => describe(c.from)).join(', ')}: kept the first, as ${rule.why}`,
      };
      if (!SETTINGS[name].secret) conflict.values = { kept: textOf(winner.value), over: other.map((c) => textOf(c.value)) };
      conflicts.push(conflict);
    }
  }
  return { settings, conflicts };
}

/** What became of each of upstream's variables: the 58 in order, then the file's other names. */
export function variableRows(install: UpstreamInstall, settings: ReadonlyMap<SettingName, CarriedSetting>): VariableRow[] {
  const rows: VariableRow[] = [];
  const lineOf = (name: string): number | undefined => install.conf.entries.get(name)?.line;
  for (const variable of UPSTREAM_VARIABLES) {
    const rule = UPSTREAM_RULES[variable];
    const line = lineOf(variable);
    const row: VariableRow = { variable, status: 'dropped', reason: rule.reason };
    if (line !== undefined) row.line = line;
    if (rule.status === 'used') {
      const carried = settings.get(variable);
      if (carried) {
        row.status = 'carried';
        row.from = carried.from;
      } else {
        row.status = 'unset';
        const fallback = SETTINGS[variable].default;
        row.reason = `set neither in orbis.conf nor in the live files: orbis's default${fallback === '' ? ' (empty)' : ` (${SETTINGS[variable].secret ? 'empty' : fallback})`} applies`;
      }
    } else if (rule.status === 'mapped') {
      row.status = 'mapped';
      const replacedBy = (rule as { replacedBy?: readonly string[] }).replacedBy;
      if (replacedBy !== undefined && replacedBy.length > 0) row.replacedBy = replacedBy;
    }
    rows.push(row);
  }
  const known = new Set<string>(UPSTREAM_VARIABLES);
  for (const entry of install.conf.order) {
    if (known.has(entry.key)) continue;
    known.add(entry.key);
    const carried = isSettingName(entry.key) ? settings.get(entry.key) : undefined;
    rows.push(
      carried
        ? { variable: entry.key, status: 'carried', reason: 'an orbis setting', line: entry.line, from: carried.from }
        : { variable: entry.key, status: 'dropped', reason: 'not an orbis setting (a name of your own, or a typo)', line: entry.line },
    );
  }
  return rows;
}

export function reconcile(install: UpstreamInstall, running: Candidate[] = []): Reconciled {
  const { settings, conflicts } = decide(gatherCandidates(install, running));
  return { settings, conflicts, variables: variableRows(install, settings) };
}
