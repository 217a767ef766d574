// Faults injected into a valid orbis.conf, each kind knowing where orbis must report it. The base
// is conf/orbis.conf.example with both stream keys filled in, so every message can be checked for
// keys. A kind rewrites one line (or two) whose columns it computes itself.
//
// Inventory faults (a later pass) plug in as kinds with `target: 'inventory'` and a base of their
// own; the runner (fuzz-config.test.ts) dispatches on `target`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanConf } from '../../../src/config/conf-parser.js';
import { SETTING_NAMES, SETTINGS, type SettingName } from '../../../src/config/settings.js';
import type { Injected, Rng } from './fuzz.js';

export interface FaultKind {
  name: string;
  target: 'conf' | 'inventory';
  inject(rng: Rng, base: ConfBase): Injected;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** The example conf with stream keys, as lines, and where each setting is assigned. */
export class ConfBase {
  readonly lines: string[];
  readonly lineOf: ReadonlyMap<string, number>;
  readonly keys: readonly string[];

  constructor(exampleText: string, rng: Rng) {
    const dlive = `dk${rng.word(18, KEY_ALPHABET)}`;
    const kick = `sk_us-west-2_${rng.word(16, KEY_ALPHABET)}`;
    this.keys = [dlive, kick];
    const text = exampleText
      .replace(/^DLIVE_CLE_FLUX=""/m, `DLIVE_CLE_FLUX="${dlive}"`)
      .replace(/^KICK_CLE_FLUX=""/m, `KICK_CLE_FLUX='${kick}'`);
    this.lines = text.split('\n');
    const scan = scanConf(text, { file: 'base' });
    if (scan.errors.length > 0 || !text.includes(dlive) || !text.includes(kick)) throw new Error('the example conf changed shape: fix the fuzz base');
    this.lineOf = new Map(scan.entries.map((e) => [e.key, e.line]));
  }

  line(key: string): number {
    const line = this.lineOf.get(key);
    if (line === undefined) throw new Error(`the example conf has no ${key}`);
    return line;
  }

  settings(): SettingName[] {
    return SETTING_NAMES.filter((name) => this.lineOf.has(name));
  }

  /** The text with `line` (1-based) replaced. */
  with(replacements: ReadonlyMap<number, string>): string {
    return this.lines.map((l, i) => replacements.get(i + 1) ?? l).join('\n');
  }
}

export function readExample(repoRoot: string): string {
  return readFileSync(join(repoRoot, 'conf', 'orbis.conf.example'), 'utf8');
}

/** `KEY=value` as a user might write it: indented or not, exported or not, with a comment or not. */
function assignment(rng: Rng, key: string, value: string, options: { comment?: boolean; exported?: boolean } = {}) {
  const indent = rng.pick(['', '', '  ', '\t']);
  const exported = options.exported ?? rng.pick([false, false, true]) ? rng.pick(['export ', 'export  ']) : '';
  const comment = options.comment === false ? '' : rng.pick(['', '', `   # ${rng.word(5)}`]);
  const keyCol = indent.length + exported.length + 1;
  return { text: `${indent}${exported}${key}=${value}${comment}`, keyCol, valueCol: keyCol + key.length + 1, prefix: `${indent}${exported}` };
}

interface Placed {
  text: string;
  col?: number;
}

/** A kind that rewrites one setting's line; `make` returns the line and the fault's column. */
function lineKind(name: string, says: RegExp, pickKey: (rng: Rng, base: ConfBase) => string, make: (rng: Rng, key: string) => Placed, extraSecrets: (line: string) => string[] = () => []): FaultKind {
  return {
    name,
    target: 'conf',
    inject(rng, base) {
      const key = pickKey(rng, base);
      const line = base.line(key);
      const placed = make(rng, key);
      return {
        text: base.with(new Map([[line, placed.text]])),
        at: { line, ...(placed.col === undefined ? {} : { col: placed.col }) },
        outcome: 'error',
        says,
        secrets: [...base.keys, ...extraSecrets(placed.text)],
        shows: placed.text,
      };
    },
  };
}

const anySetting = (rng: Rng, base: ConfBase): string => rng.pick(base.settings());
const quoteFree = (rng: Rng, n = rng.int(1, 12)) => rng.word(n, 'abcdefghijklmnopqrstuvwxyz0123456789_./:-');

const allowedOf = (name: SettingName): string => SETTINGS[name].type.allowed;
const booleans = (base: ConfBase) => base.settings().filter((n) => allowedOf(n) === 'true or false');
/** Integer settings with their bounds, read from the same words the errors use. */
const integers = (base: ConfBase) =>
  base.settings().flatMap((n) => {
    const m = /whole number from (\d+) to (\d+)|port from (\d+) to (\d+)/.exec(allowedOf(n));
    if (m === null) return [];
    const [min, max] = m[1] !== undefined ? [Number(m[1]), Number(m[2])] : [Number(m[3]), Number(m[4])];
    return [{ name: n, min, max }];
  });

// --- Syntax: what bash would do and orbis refuses -----------------------------------------------

const unterminatedQuote = lineKind('syntax: unterminated quote', /quote opened here is not closed/, anySetting, (rng, key) => {
  const quote = rng.pick(['"', "'"]);
  const bare = rng.pick(['', quoteFree(rng)]);
  const escapedClose = quote === '"' && rng.next() < 0.3 ? '\\"' : '';
  const a = assignment(rng, key, `${bare}${quote}${quoteFree(rng)}${escapedClose}`, { comment: false });
  return { text: a.text, col: a.valueCol + bare.length };
});

const commandSubstitution = lineKind('syntax: $(...)', /command substitution/, anySetting, (rng, key) => {
  const before = quoteFree(rng, rng.int(0, 6));
  const inDouble = rng.next() < 0.5;
  const body = `$(${rng.pick(['id', 'cat /etc/passwd', 'curl x', 'echo a'])})`;
  const a = assignment(rng, key, inDouble ? `"${before}${body}"` : `${before}${body}`, { comment: false });
  return { text: a.text, col: a.valueCol + (inDouble ? 1 : 0) + before.length };
});

const backticks = lineKind('syntax: backticks', /command substitution/, anySetting, (rng, key) => {
  const before = quoteFree(rng, rng.int(0, 6));
  const inDouble = rng.next() < 0.5;
  const body = `\`${rng.pick(['id', 'hostname', 'date'])}\``;
  const a = assignment(rng, key, inDouble ? `"${before}${body}"` : `${before}${body}`, { comment: false });
  return { text: a.text, col: a.valueCol + (inDouble ? 1 : 0) + before.length };
});

const badKey = lineKind('syntax: bad key', /not a variable assignment/, anySetting, (rng, key) => {
  const broken = rng.pick([`${rng.int(0, 9)}${key}`, `${key.slice(0, 3)}-${key.slice(3)}`, `${key.slice(0, 4)}.${key.slice(4)}`, `-${key}`, `${key.slice(0, 2)}É${key.slice(2)}`, `${key.slice(0, 3)} ${key.slice(3)}`]);
  const a = assignment(rng, broken, quoteFree(rng), { exported: false });
  return { text: a.text, col: a.keyCol };
});

const spacesAroundEquals = lineKind('syntax: spaces around =', /spaces? (around|after) '='/, anySetting, (rng, key) => {
  const value = rng.word(rng.int(1, 8));
  const a = assignment(rng, key, value, { comment: false });
  const variant = rng.int(0, 2);
  const spaces = ' '.repeat(rng.int(1, 3));
  if (variant === 0) return { text: `${a.prefix}${key}${spaces}=${value}`, col: a.keyCol + key.length };
  if (variant === 1) return { text: `${a.prefix}${key}${spaces}=${spaces}${value}`, col: a.keyCol + key.length };
  return { text: `${a.prefix}${key}=${spaces}${value}`, col: a.valueCol + spaces.length };
});

const shellOperator = lineKind('syntax: shell operator in a bare value', /shell operator/, anySetting, (rng, key) => {
  const before = rng.word(rng.int(0, 6));
  const a = assignment(rng, key, `${before}${rng.pick([...';&|<>()'])}${rng.word(rng.int(0, 4))}`, { comment: false });
  return { text: a.text, col: a.valueCol + before.length };
});

const trailingText = lineKind('syntax: text after the value', /more text after the value/, anySetting, (rng, key) => {
  const value = rng.pick([rng.word(rng.int(1, 6)), `"${quoteFree(rng)} ${quoteFree(rng)}"`, `'${quoteFree(rng)}'`]);
  const gap = ' '.repeat(rng.int(1, 3));
  const a = assignment(rng, key, `${value}${gap}${rng.word(rng.int(1, 6))}`, { comment: false });
  return { text: a.text, col: a.valueCol + value.length + gap.length };
});

const specialParameter = lineKind('syntax: special parameter or ${...} expression', /special parameter|parameter expression|without its closing/, anySetting, (rng, key) => {
  const before = quoteFree(rng, rng.int(0, 5));
  const inDouble = rng.next() < 0.5;
  const dollar = rng.pick(['$1', '$@', '$?', '$$', '$!', '$#', '$*', '$-', '$0', '${X:-d}', '${X%y}', '${#X}', '${X/a/b}', '${UNCLOSED']);
  const a = assignment(rng, key, inDouble && !dollar.startsWith('${U') ? `"${before}${dollar}"` : `${before}${dollar}`, { comment: false });
  return { text: a.text, col: a.valueCol + (inDouble && !dollar.startsWith('${U') ? 1 : 0) + before.length };
});

const otherBash = lineKind('syntax: append, array, export without value, continuation, ~', /append|array|without a value|at the end of the line|'~'/, anySetting, (rng, key) => {
  const a = assignment(rng, key, 'x', { exported: false });
  switch (rng.int(0, 4)) {
    case 0:
      return { text: `${a.prefix}${key}+=${quoteFree(rng)}`, col: a.keyCol + key.length };
    case 1:
      return { text: `${a.prefix}${key}[${rng.int(0, 9)}]=${quoteFree(rng)}`, col: a.keyCol + key.length };
    case 2:
      return { text: `${a.prefix}export ${key}`, col: a.keyCol + 'export '.length };
    case 3: {
      const value = rng.word(rng.int(1, 8));
      return { text: `${a.prefix}${key}=${value}\\`, col: a.valueCol + value.length };
    }
    default: {
      const before = rng.pick(['', `/a${rng.word(2)}:`]);
      return { text: `${a.prefix}${key}=${before}~/${rng.word(4)}`, col: a.valueCol + before.length };
    }
  }
});

// --- Names and values -----------------------------------------------------------------------------

/** One typo away from a real name (swap, drop, change, double a letter, lower case). */
function typo(rng: Rng, key: string): string {
  const i = rng.int(1, key.length - 2);
  switch (rng.int(0, 4)) {
    case 0:
      return key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
    case 1:
      return key.slice(0, i) + key.slice(i + 1);
    case 2:
      return key.slice(0, i) + rng.pick([...'QXZKW'].filter((c) => c !== key[i])) + key.slice(i + 1);
    case 3:
      return key.slice(0, i) + key[i] + key.slice(i);
    default:
      return key.toLowerCase();
  }
}

const unknownKey: FaultKind = {
  name: 'unknown key close to a real one',
  target: 'conf',
  inject(rng, base) {
    for (;;) {
      const key = rng.pick(base.settings());
      const wrong = typo(rng, key);
      if (wrong === key || (SETTING_NAMES as readonly string[]).includes(wrong) || wrong.includes('__')) continue;
      const line = base.line(key);
      const a = assignment(rng, wrong, base.lines[line - 1]?.split('=').slice(1).join('=') ?? '', { exported: false, comment: false });
      return { text: base.with(new Map([[line, a.text]])), at: { line, col: a.keyCol }, outcome: 'error', says: /is not an orbis setting \(hint: did you mean /, secrets: base.keys, shows: a.text };
    }
  },
};

const wrongBoolean = lineKind('wrong type: boolean', /must be true or false/, (rng, base) => rng.pick(booleans(base)), (rng, key) => {
  const value = rng.pick(['yes', 'no', 'oui', 'non', '1', '0', 'True', 'FALSE', 'vrai', 'on', 'off', rng.word(5)]);
  const quoted = rng.pick([value, `"${value}"`, `'${value}'`]);
  const a = assignment(rng, key, quoted);
  return { text: a.text, col: a.valueCol };
});

const wrongNumber = lineKind('wrong type: number', /must be .*whole number|must be a TCP\/UDP port/, (rng, base) => rng.pick(integers(base)).name, (rng, key) => {
  const value = rng.pick(['12abc', '3.5', '-1', '1e3', 'abc', '4000kbps', '0x10', '1_000', '١٢', `${rng.int(1, 99)} ${rng.pick(['s', 'kbps'])}`]);
  const a = assignment(rng, key, `"${value}"`);
  return { text: a.text, col: a.valueCol };
});

const outOfRange: FaultKind = {
  name: 'out-of-range number',
  target: 'conf',
  inject(rng, base) {
    const { name, min, max } = rng.pick(integers(base));
    const value = min > 0 && rng.next() < 0.4 ? rng.int(0, min - 1) : rng.int(max + 1, max * 10 + 10);
    const line = base.line(name);
    const a = assignment(rng, name, rng.pick([String(value), `"${value}"`]));
    return { text: base.with(new Map([[line, a.text]])), at: { line, col: a.valueCol }, outcome: 'error', says: new RegExp(`from ${min} to ${max}.*found ${value}`), secrets: base.keys, shows: a.text };
  },
};

// Inside single quotes everything is literal but the quote itself; inside double quotes, avoid
// what bash interprets there ($ ` \ ").
const FORBIDDEN_IN_SINGLE = [';', '{', '}', '"', '$', '#', '\\', '/', ' ', '\t', 'é', 'ü', '`', '\u00a0', '\u202e', '|', '*', '~', '!', '@', '%', '^', '+', ',', ':', '<', '>', '[', ']', '\x01', '\x7f'];
const FORBIDDEN_IN_DOUBLE = [';', '{', '}', "'", '#', '/', ' ', 'é', '|', '*', ':', '<', '>'];

const streamKeyChars: FaultKind = {
  name: 'forbidden character in a stream key',
  target: 'conf',
  inject(rng, base) {
    const name = rng.pick(['DLIVE_CLE_FLUX', 'KICK_CLE_FLUX']);
    const line = base.line(name);
    const before = rng.word(rng.int(0, 20), KEY_ALPHABET);
    const after = rng.word(rng.int(8, 20), KEY_ALPHABET);
    const double = rng.next() < 0.3;
    const bad = rng.pick(double ? FORBIDDEN_IN_DOUBLE : FORBIDDEN_IN_SINGLE);
    const quote = double ? '"' : "'";
    const a = assignment(rng, name, `${quote}${before}${bad}${after}${quote}`);
    const secrets = [...base.keys, `${before}${bad}${after}`, after, ...(before.length >= 8 ? [before] : [])];
    return {
      text: base.with(new Map([[line, a.text]])),
      at: { line, col: a.valueCol + 1 + [...before].length },
      outcome: 'error',
      says: new RegExp(`${name}: character ${[...before].length + 1} of the key is`),
      secrets,
      shows: a.text,
    };
  },
};

const streamKeyTooLong = lineKind('stream key too long', /characters long; a stream key has at most 256/, (rng) => rng.pick(['DLIVE_CLE_FLUX', 'KICK_CLE_FLUX']), (rng, key) => {
  const a = assignment(rng, key, `'${rng.word(rng.int(257, 400), KEY_ALPHABET)}'`);
  return { text: a.text, col: a.valueCol };
}, (line) => [line.slice(line.indexOf("'") + 1, line.lastIndexOf("'"))]);

const unknownVariable: FaultKind = {
  name: 'reference to an unknown ${VAR}',
  target: 'conf',
  inject(rng, base) {
    const settings = base.settings();
    const key = rng.pick(settings.slice(0, -1));
    const line = base.line(key);
    const later = settings.filter((s) => base.line(s) > line);
    const variable = rng.next() < 0.3 ? rng.pick(later) : `${rng.pick(['NOPE', 'HOME', 'USER', 'PATH_X', 'DLIVE_CLE'])}_${rng.word(3, 'ABCXYZ')}`;
    const before = quoteFree(rng, rng.int(0, 6));
    const form = rng.pick([`\${${variable}}`, `$${variable}`]);
    const inDouble = rng.next() < 0.6;
    // A bare $NAME must end the name: follow it with '/' so the name is exactly `variable`.
    const a = assignment(rng, key, inDouble ? `"${before}${form}/x"` : `${before}${form}/x`);
    return {
      text: base.with(new Map([[line, a.text]])),
      at: { line, col: a.valueCol + (inDouble ? 1 : 0) + before.length },
      outcome: 'error',
      says: new RegExp(`reference to the unknown variable ${variable} in ${key}`),
      secrets: base.keys,
      shows: a.text,
    };
  },
};

// --- Checks across settings: reported at the documented setting's value ----------------------------

function setValues(rng: Rng, base: ConfBase, values: ReadonlyArray<[string, string]>) {
  const replacements = new Map<number, string>();
  const cols = new Map<string, number>();
  for (const [key, value] of values) {
    const a = assignment(rng, key, value);
    replacements.set(base.line(key), a.text);
    cols.set(key, a.valueCol);
  }
  return { text: base.with(replacements), cols, shows: [...replacements.values()].join(' | ') };
}

/** Both platforms are on: the one encode must fit DLive 2500-4500 AND Kick 3500-6000 (video), 160 (audio). */
const outsideOverlap: FaultKind = {
  name: 'bitrate outside both platforms\' overlap',
  target: 'conf',
  inject(rng, base) {
    const [key, value] = rng.pick<[string, () => number]>([
      ['ENCODAGE_BITRATE_VIDEO', () => rng.pick([rng.int(500, 3499), rng.int(4501, 20000)])],
      ['DLIVE_BITRATE_VIDEO', () => rng.int(500, 3499)],
      ['KICK_BITRATE_VIDEO', () => rng.int(4501, 20000)],
      ['ENCODAGE_BITRATE_AUDIO', () => rng.pick([rng.int(32, 159), rng.int(161, 320)])],
      ['DLIVE_BITRATE_AUDIO', () => rng.int(32, 159)],
    ]);
    const set = setValues(rng, base, [[key, String(value())]]);
    return { text: set.text, at: { line: base.line(key), col: set.cols.get(key)! }, outcome: 'error', says: new RegExp(`${key}: \\d+ kbps does not suit both platforms`), secrets: base.keys, shows: set.shows };
  },
};

const LOCAL_PORTS = ['NGINX_PORT_RTMP', 'NGINX_PORT_STATS', 'STUNNEL_PORT_LOCAL', 'BTFS_PORT_PASSERELLE', 'BTFS_PORT_API', 'BTFS_PORT_ESSAIM'];

const otherCrossChecks: FaultKind = {
  name: 'other checks across settings',
  target: 'conf',
  inject(rng, base) {
    const at = (key: string, set: ReturnType<typeof setValues>, says: RegExp): Injected =>
      ({ text: set.text, at: { line: base.line(key), col: set.cols.get(key) ?? 0 }, outcome: 'error', says, secrets: base.keys, shows: set.shows });
    switch (rng.int(0, 4)) {
      case 0:
        return at('GOP', setValues(rng, base, [['GOP', String(rng.pick([rng.int(1, 59), rng.int(61, 600)]))]]), /GOP: .*GOP must be 60/);
      case 1:
        return at('DEBIT_IMAGES', setValues(rng, base, [['DEBIT_IMAGES', String(rng.pick([rng.int(1, 29), rng.int(31, 60)]))]]), /DEBIT_IMAGES: \d+ fps does not suit both platforms/);
      case 2: {
        // The later of two ports in orbis's list is the one blamed (both are set in the file).
        const first = rng.int(0, LOCAL_PORTS.length - 2);
        const later = rng.pick(LOCAL_PORTS.slice(first + 1).filter((p) => p !== 'BTFS_PORT_PASSERELLE'));
        const port = base.lines[base.line(LOCAL_PORTS[first]!) - 1]!.split('=')[1]!.split(' ')[0]!;
        return at(later, setValues(rng, base, [[later, port]]), new RegExp(`${later}: ${port} is also the port of ${LOCAL_PORTS[first]}`));
      }
      case 3:
        return at('DLIVE_ACTIF', setValues(rng, base, [['DLIVE_ACTIF', 'false'], ['KICK_ACTIF', rng.pick(['false', '"false"'])]]), /DLIVE_ACTIF: DLive and Kick are both off/);
      default: {
        // The gateway's port moved but not its URL: blamed on the URL, a line the fault did not touch.
        const port = String(rng.int(20000, 29999));
        const set = setValues(rng, base, [['BTFS_PORT_PASSERELLE', port]]);
        const urlLine = base.line('BTFS_PASSERELLE');
        const urlCol = base.lines[urlLine - 1]!.indexOf('=') + 2;
        return { ...at('BTFS_PORT_PASSERELLE', set, /BTFS_PASSERELLE: points at port 8080/), at: { line: urlLine, col: urlCol } };
      }
    }
  },
};

// --- Warnings: the file loads, and says what bash would have done differently -----------------------

const bomAndCrlf: FaultKind = {
  name: 'BOM / CRLF line endings (warnings)',
  target: 'conf',
  inject(rng, base) {
    const variant = rng.int(0, 2);
    const bom = variant !== 1;
    const from = rng.int(1, base.lines.length - 1);
    const lines = variant === 0 ? base.lines : base.lines.map((l, i) => (i + 1 >= from && l !== '' ? `${l}\r` : l));
    const firstCr = lines.findIndex((l) => l.endsWith('\r')) + 1;
    const text = `${bom ? '\uFEFF' : ''}${lines.join('\n')}`;
    return {
      text,
      at: bom ? { line: 1, col: 1 } : { line: firstCr },
      outcome: 'warning',
      says: bom ? /byte order mark/ : /Windows \(CRLF\) line endings/,
      secrets: base.keys,
      shows: bom ? '(BOM)' : `CRLF from line ${firstCr}`,
    };
  },
};

// --- Issue #19: what a typo away from the system, or a few hundred bytes, would cost -------------

// A folder orbis would chown and chmod 0700 for a service, or the account it would run as.
const SYSTEM_FOLDERS = ['/', '/etc', '/etc/ssh', '/usr', '/usr/bin', '/var', '/var/lib', '/var/log', '/root', '/boot', '/home', '/tmp', '/run/btfs', '/opt', '/srv', '/bin'];
const SYSTEM_ACCOUNTS = ['root', 'daemon', 'bin', 'sys', 'nobody', 'www-data', 'sshd', 'messagebus', 'systemd-network', 'orbis'];

const systemPlaceForService: FaultKind = {
  name: 'a system folder or account handed to a service',
  target: 'conf',
  inject(rng, base) {
    const folder = rng.next() < 0.6;
    const name = folder ? 'BTFS_REPERTOIRE_REPO' : 'BTFS_UTILISATEUR';
    const picked = folder ? rng.pick([...SYSTEM_FOLDERS, `/home/${rng.word(rng.int(2, 8), 'abcdefghijklmnopqrstuvwxyz')}`]) : rng.pick(SYSTEM_ACCOUNTS);
    const quoted = rng.next() < 0.3;
    const line = base.line(name);
    const a = assignment(rng, name, quoted ? `"${picked}"` : picked);
    const says = folder ? /a folder of its own .*(system folder|person's home folder)/ : /an account of its own \(not root nor another service's\)/;
    return { text: base.with(new Map([[line, a.text]])), at: { line, col: a.valueCol }, outcome: 'error', says, secrets: base.keys, shows: a.text };
  },
};

// Each line doubles the one before: refused at the $ whose expansion crosses the bound, not after
// 63 s and 4.5 GB. The chain replaces a setting's line, which then reads the last of it.
const expansionWithoutBound: FaultKind = {
  name: 'a ${VAR} expansion that grows without bound',
  target: 'conf',
  inject(rng, base) {
    const name = rng.pick(base.settings().filter((n) => !/CLE_FLUX/.test(n)));
    const line = base.line(name);
    const seed = rng.word(rng.int(5, 40), 'abcdefghijklmnopqrstuvwxyz');
    const prefix = rng.pick(['X', 'GROS', 'V_']);
    const links = 20;
    const chain = [`${prefix}0=${seed}`, ...Array.from({ length: links }, (_, i) => `${prefix}${i + 1}="$${prefix}${i}$${prefix}${i}"`), `${name}="$${prefix}${links}"`];
    // The first line whose value would pass 8192 characters: its second $ crosses the bound.
    let k = 0;
    while (seed.length * 2 ** k <= 8192) k++;
    const crossing = chain[k]!;
    return {
      text: base.with(new Map([[line, chain.join('\n')]])),
      at: { line: line + k, col: crossing.lastIndexOf('$') + 1 },
      outcome: 'error',
      says: new RegExp(`${prefix}${k}: expanding \\$\\{${prefix}${k - 1}\\} makes this value longer than 8192 characters`),
      secrets: base.keys,
      shows: crossing,
    };
  },
};

export const CONF_FAULT_KINDS: readonly FaultKind[] = [
  unterminatedQuote, commandSubstitution, backticks, badKey, spacesAroundEquals, shellOperator, trailingText, specialParameter, otherBash,
  unknownKey, wrongBoolean, wrongNumber, outOfRange, streamKeyChars, streamKeyTooLong, unknownVariable,
  outsideOverlap, otherCrossChecks, bomAndCrlf, systemPlaceForService, expansionWithoutBound,
];
