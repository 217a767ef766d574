// Faults injected into a valid generated inventory, each kind knowing where orbis must report it.
// The base is a tree (fleet connection and vars, hosts, groups with hosts/children) with random
// names, indentation and styles; rendering it records every key's and value's line:col, so a kind
// changes one node of the tree and reads the fault's position back from the rendering.
import { SETTINGS, type SettingName } from '../../../src/config/settings.js';
import type { Injected, Position, Rng } from './fuzz.js';

export type Node =
  | { kind: 'scalar'; raw: string }
  | { kind: 'map'; entries: Entry[] }
  | { kind: 'flow-list'; items: string[] }
  | { kind: 'block-list'; items: string[] };

export interface Entry {
  key: string;
  value: Node;
}

interface Placed {
  key: Position & { col: number };
  value: Position & { col: number };
  /** Each list item's position. */
  items: Array<{ line: number; col: number }>;
}

export interface Rendered {
  files: Record<string, string>;
  /** `hosts.salon.vars.GOP` -> where its key and value are written. */
  at: Map<string, Placed>;
}

/** An inventory as a tree, plus what a fault needs to know of it. */
export class InventoryBase {
  readonly root: Entry[];
  readonly hosts: string[];
  readonly groups: string[];
  readonly indent: string;
  /** Clear-text stream keys written in the base: no message may show them. */
  readonly keys: string[];
  /** Lines of comment before the first key (shifts every line). */
  readonly preamble: string[];

  constructor(rng: Rng) {
    this.indent = rng.pick(['  ', '  ', '    ']);
    this.preamble = Array.from({ length: rng.int(0, 4) }, () => `# ${rng.word(rng.int(0, 20), 'abcdef ghij')}`);
    const names = new Set<string>();
    const fresh = (prefix: string): string => {
      for (;;) {
        const name = `${prefix}${rng.word(rng.int(2, 6), 'abcdefghijklmnopqrstuvwxyz')}${rng.pick(['', '-1', '.a', '_2'])}`;
        if (!names.has(name) && name !== 'all') {
          names.add(name);
          return name;
        }
      }
    };
    this.hosts = Array.from({ length: rng.int(2, 5) }, () => fresh(rng.pick(['pi', 'salon', 'h', 'cam'])));
    this.groups = Array.from({ length: rng.int(1, 3) }, () => fresh(rng.pick(['g', 'maison', 'grp'])));
    const key = `dk${rng.word(20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`;
    this.keys = [key];
    const list = (items: string[]): Node => (rng.next() < 0.5 ? { kind: 'flow-list', items } : { kind: 'block-list', items });
    const scalar = (raw: string): Node => ({ kind: 'scalar', raw });
    const map = (entries: Entry[]): Node => ({ kind: 'map', entries });
    const hostEntries = this.hosts.map((name, i): Entry => {
      const entries: Entry[] = [{ key: 'address', value: scalar(`192.168.1.${20 + i}`) }];
      if (rng.next() < 0.5) entries.push({ key: 'port', value: scalar(String(rng.int(22, 3000))) });
      const vars: Entry[] = [{ key: 'DLIVE_CLE_FLUX', value: i === 0 ? scalar(`'${key}'`) : scalar(`{ env: ${name.toUpperCase().replace(/[.-]/g, '_')}_KEY }`) }];
      if (rng.next() < 0.5) vars.push({ key: 'NIVEAU_JOURNAL', value: scalar(rng.pick(['AVERT', 'INFO', 'ERREUR'])) });
      entries.push({ key: 'vars', value: map(vars) });
      return { key: name, value: map(entries) };
    });
    const groupEntries = this.groups.map((name, i): Entry => {
      const members = this.hosts.filter(() => rng.next() < 0.6);
      const entries: Entry[] = [{ key: 'hosts', value: list(members.length > 0 ? members : [this.hosts[0]!]) }];
      // A group's children are later groups only: the base has no cycle.
      const later = this.groups.slice(i + 1).filter(() => rng.next() < 0.5);
      if (later.length > 0) entries.push({ key: 'children', value: list(later) });
      entries.push({ key: 'vars', value: map([{ key: 'CONSERVATION_JOURNAUX', value: scalar(String(rng.int(1, 60))) }]) });
      return { key: name, value: map(entries) };
    });
    this.root = [
      { key: 'connection', value: map([{ key: 'user', value: scalar(rng.pick(['pi', 'orbis'])) }, { key: 'key', value: scalar('~/.ssh/orbis_ed25519') }]) },
      { key: 'vars', value: map([{ key: 'PLATEFORMES', value: scalar('toutes') }, { key: 'DLIVE_BITRATE_VIDEO', value: scalar(String(rng.int(3500, 4500))) }]) },
      { key: 'hosts', value: map(hostEntries) },
      { key: 'groups', value: map(groupEntries) },
    ];
  }

  /** The entry at a dotted path of keys (the path must exist). */
  entry(path: readonly string[]): Entry {
    let entries = this.root;
    let found: Entry | undefined;
    for (const key of path) {
      found = entries.find((e) => e.key === key);
      if (found === undefined) throw new Error(`no ${path.join('.')} in the base`);
      entries = found.value.kind === 'map' ? found.value.entries : [];
    }
    if (found === undefined) throw new Error('empty path');
    return found;
  }

  entries(path: readonly string[]): Entry[] {
    const node = this.entry(path).value;
    if (node.kind !== 'map') throw new Error(`${path.join('.')} is not a map`);
    return node.entries;
  }

  render(file: string): Rendered {
    const lines = [...this.preamble];
    const at = new Map<string, Placed>();
    const walk = (entries: readonly Entry[], depth: number, path: string): void => {
      for (const { key, value } of entries) {
        const pad = this.indent.repeat(depth);
        const here = path === '' ? key : `${path}.${key}`;
        const line = lines.length + 1;
        const keyCol = pad.length + 1;
        const valueCol = keyCol + key.length + 2;
        const placed: Placed = { key: { line, col: keyCol }, value: { line, col: valueCol }, items: [] };
        at.set(here, placed);
        if (value.kind === 'scalar') lines.push(`${pad}${key}: ${value.raw}`);
        else if (value.kind === 'flow-list') {
          let col = valueCol + 1;
          for (const item of value.items) {
            placed.items.push({ line, col });
            col += item.length + 2;
          }
          lines.push(`${pad}${key}: [${value.items.join(', ')}]`);
        } else if (value.kind === 'block-list') {
          lines.push(`${pad}${key}:`);
          for (const item of value.items) {
            placed.items.push({ line: lines.length + 1, col: pad.length + this.indent.length + 3 });
            lines.push(`${pad}${this.indent}- ${item}`);
          }
          if (value.items.length > 0) placed.value = { line: line + 1, col: pad.length + this.indent.length + 1 };
        } else if (value.entries.length === 0) lines.push(`${pad}${key}: {}`);
        else {
          lines.push(`${pad}${key}:`);
          placed.value = { line: line + 1, col: keyCol + this.indent.length };
          walk(value.entries, depth + 1, here);
        }
      }
    };
    walk(this.root, 0, '');
    return { files: { [file]: `${lines.join('\n')}\n` }, at };
  }
}

/** What a kind injects: the base it changed, where the fault is, and what the error says. */
export interface InventoryFault {
  name: string;
  /** Faults about a setting's value show when a host's settings load, not when the file does. */
  stage: 'load' | 'settings';
  inject(rng: Rng, base: InventoryBase, file: string): InventoryInjected;
}

export interface InventoryInjected extends Omit<Injected, 'text' | 'outcome'> {
  files: Record<string, string>;
  /** The file the fault is in (files are loaded in the order given). */
  file: string;
}

/** Apply `change` to the base, render, and take the position `where` picks from the rendering. */
function injected(base: InventoryBase, file: string, says: RegExp, where: (at: Rendered['at']) => Position, shows: string, secrets: string[] = []): InventoryInjected {
  const rendered = base.render(file);
  return { files: rendered.files, file, at: where(rendered.at), says, secrets: [...base.keys, ...secrets], shows };
}

const place = (at: Rendered['at'], path: string): Placed => {
  const placed = at.get(path);
  if (placed === undefined) throw new Error(`nothing rendered at ${path}`);
  return placed;
};

/** One typo away from a real name (swap, drop, change, double a letter). */
export function typo(rng: Rng, word: string, known: readonly string[]): string {
  for (;;) {
    const i = rng.int(1, Math.max(1, word.length - 2));
    const wrong = [
      word.slice(0, i) + (word[i + 1] ?? '') + (word[i] ?? '') + word.slice(i + 2),
      word.slice(0, i) + word.slice(i + 1),
      word.slice(0, i) + rng.pick([...'qxzkw'].filter((c) => c !== word[i]?.toLowerCase())) + word.slice(i + 1),
      word.slice(0, i) + (word[i] ?? '') + word.slice(i),
    ][rng.int(0, 3)]!;
    const fixed = /^[A-Z_]+$/.test(word) ? wrong.toUpperCase() : wrong;
    if (fixed !== word && !known.includes(fixed) && fixed.length >= 2) return fixed;
  }
}

const hostPath = (rng: Rng, base: InventoryBase): string[] => ['hosts', rng.pick(base.hosts)];
const groupPath = (rng: Rng, base: InventoryBase): string[] => ['groups', rng.pick(base.groups)];
/** A scope's vars: the fleet's, a host's or a group's. */
const varsPath = (rng: Rng, base: InventoryBase): string[] => rng.pick([['vars'], [...hostPath(rng, base), 'vars'], [...groupPath(rng, base), 'vars']]);
const scalar = (raw: string): Node => ({ kind: 'scalar', raw });

// --- YAML syntax ------------------------------------------------------------------------------------

const unclosedQuote: InventoryFault = {
  name: 'yaml: unclosed quote',
  stage: 'load',
  inject(rng, base, file) {
    const path = rng.pick([[...hostPath(rng, base), 'address'], ['connection', 'user'], [...varsPath(rng, base), rng.pick(['GOP', 'NIVEAU_JOURNAL', 'DEBIT_IMAGES'])]]);
    const quote = rng.pick(['"', "'"]);
    const inside = rng.word(rng.int(0, 10), 'abcdefgh0123 ._-') + (quote === "'" && rng.next() < 0.3 ? "''x" : '');
    const parent = base.entries(path.slice(0, -1));
    const existing = parent.find((e) => e.key === path[path.length - 1]);
    const value = scalar(`${quote}${inside}`);
    if (existing) existing.value = value;
    else parent.push({ key: path[path.length - 1]!, value });
    return injected(base, file, /Missing closing .quote/, (at) => place(at, path.join('.')).value, `${path.join('.')}: ${quote}${inside}`);
  },
};

// Issue #19, item 4: a document that grows once read, refused at its first alias.
const aliasBomb: InventoryFault = {
  name: 'yaml: alias bomb',
  stage: 'load',
  inject(rng, base, file) {
    const path = [...varsPath(rng, base), rng.pick(['GOP', 'NIVEAU_JOURNAL', 'DEBIT_IMAGES'])];
    const width = rng.int(10, 14);
    const spread = (alias: string): string => `[${Array(width).fill(alias).join(', ')}]`;
    const raw = `[&a ${spread('x')}, &b ${spread('*a')}, ${spread('*b')}]`;
    const parent = base.entries(path.slice(0, -1));
    const existing = parent.find((e) => e.key === path[path.length - 1]);
    if (existing) existing.value = scalar(raw);
    else parent.push({ key: path[path.length - 1]!, value: scalar(raw) });
    return injected(base, file, /aliases \(\*name\) expand to more than 100 copies/, (at) => {
      const value = place(at, path.join('.')).value;
      return { line: value.line, col: value.col + raw.indexOf('*') };
    }, path.join('.'));
  },
};

// Issue #19, item 4: nesting no inventory has, refused at the bracket that opens level 65 (found
// before the parser recurses into it).
const tooDeep: InventoryFault = {
  name: 'yaml: nesting too deep',
  stage: 'load',
  inject(rng, base, file) {
    const path = [...varsPath(rng, base), rng.pick(['GOP', 'NIVEAU_JOURNAL'])];
    const depth = rng.pick([70, 200, 5_000]);
    const raw = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const parent = base.entries(path.slice(0, -1));
    const existing = parent.find((e) => e.key === path[path.length - 1]);
    if (existing) existing.value = scalar(raw);
    else parent.push({ key: path[path.length - 1]!, value: scalar(raw) });
    return injected(base, file, /nested more than 64 levels deep/, (at) => {
      const value = place(at, path.join('.')).value;
      return { line: value.line, col: value.col + 64 };
    }, `${path.join('.')}: ${depth} levels`);
  },
};

const unclosedFlow: InventoryFault = {
  name: 'yaml: unclosed [ or {',
  stage: 'load',
  inject(rng, base, file) {
    if (rng.next() < 0.5) {
      const path = [...groupPath(rng, base), 'hosts'];
      const items = base.hosts.filter(() => rng.next() < 0.6);
      base.entry(path).value = scalar(`[${items.join(', ')}`);
      return injected(base, file, /Flow sequence .* end with a \]/, (at) => place(at, path.join('.')).value, `${path.join('.')}: [${items.join(', ')}`);
    }
    const path = [...varsPath(rng, base), 'KICK_CLE_FLUX'];
    base.entries(path.slice(0, -1)).push({ key: 'KICK_CLE_FLUX', value: scalar(`{ env: ${rng.pick(['A', 'KICK_KEY', 'X_1'])}${rng.pick(['', ','])}`) });
    return injected(base, file, /Flow map .* end with a \}/, (at) => place(at, path.join('.')).value, path.join('.'));
  },
};

const badIndent: InventoryFault = {
  name: 'yaml: tab or misaligned indentation',
  stage: 'load',
  inject(rng, base, file) {
    // Rendered first, then one line's indentation is broken: a tab, or one space short.
    // Never a map's first key: that one sets the map's column, so the next key would be blamed.
    const path = rng.pick([[...hostPath(rng, base), 'vars'], ['connection', 'key'], ['vars', 'DLIVE_BITRATE_VIDEO'], [...groupPath(rng, base), 'vars']]);
    const rendered = base.render(file);
    const { key } = place(rendered.at, path.join('.'));
    const lines = rendered.files[file]!.split('\n');
    const line = lines[key.line - 1]!;
    const tab = rng.next() < 0.5;
    lines[key.line - 1] = tab ? `\t${line.trimStart()}` : line.slice(1);
    return { files: { [file]: lines.join('\n') }, file, at: { line: key.line, col: tab ? 1 : key.col - 1 }, says: tab ? /Tabs are not allowed/ : /must start at the same column|sufficiently indented/, secrets: base.keys, shows: JSON.stringify(lines[key.line - 1]) };
  },
};

// --- Keys -------------------------------------------------------------------------------------------

const unknownKey: InventoryFault = {
  name: 'unknown key (top level, host, group, connection, reference)',
  stage: 'load',
  inject(rng, base, file) {
    const [path, known] = rng.pick<[string[], string[]]>([
      [[], ['connection', 'vars', 'hosts', 'groups']],
      [hostPath(rng, base), ['address', 'ssh', 'user', 'port', 'key', 'vars']],
      [groupPath(rng, base), ['hosts', 'children', 'connection', 'vars']],
      [['connection'], ['user', 'port', 'key']],
    ]);
    const entries = path.length === 0 ? base.root : base.entries(path);
    const real = rng.pick(known.filter((k) => k.length >= 4));
    const wrong = typo(rng, real, known);
    const value = scalar(rng.pick(['x', '22', '[a]', '{}', `'${base.keys[0]}'`]));
    entries.splice(rng.int(0, entries.length), 0, { key: wrong, value });
    const keyPath = [...path, wrong].join('.');
    return injected(base, file, new RegExp(`unknown key \\(hint: (did you mean ${real}\\?|allowed here)`), (at) => place(at, keyPath).key, keyPath);
  },
};

const unknownSetting: InventoryFault = {
  name: 'unknown setting name in vars',
  stage: 'load',
  inject(rng, base, file) {
    const path = varsPath(rng, base);
    const real = rng.pick(['DLIVE_CLE_FLUX', 'KICK_CLE_FLUX', 'DLIVE_BITRATE_VIDEO', 'NIVEAU_JOURNAL', 'CONSERVATION_JOURNAUX', 'DEBIT_IMAGES']);
    const wrong = typo(rng, real, Object.keys(SETTINGS));
    // A misspelt stream key's value is a stream key: the message is about the name, and never shows it.
    const secret = `sk_${rng.word(24, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;
    const entries = base.entries(path);
    entries.splice(rng.int(0, entries.length), 0, { key: wrong, value: scalar(rng.pick([`'${secret}'`, secret, `"${secret}"`])) });
    const keyPath = [...path, wrong].join('.');
    return injected(base, file, /is not an orbis setting \(hint: (did you mean|see conf)/, (at) => place(at, keyPath).key, keyPath, [secret]);
  },
};

const BAD_NAMES = ['1pi', '-pi', 'pi salon', 'pi,2', 'pi:2', 'pi!', 'pi*', 'pi?', '[pi]', 'é', 'pi@x', '_pi', '.pi', 'pi&x'];

const invalidName: InventoryFault = {
  name: 'invalid host or group name',
  stage: 'load',
  inject(rng, base, file) {
    const where = rng.pick(['hosts', 'groups']);
    const bad = rng.next() < 0.15 && where === 'groups' ? 'all' : rng.pick(BAD_NAMES).replace('pi', rng.pick(['pi', 'salon', 'cam']));
    const quoted = /[,:!*?[\]@&]|^[-.]/.test(bad) ? `"${bad}"` : bad;
    const entries = base.entries([where]);
    entries.splice(rng.int(0, entries.length), 0, { key: quoted, value: { kind: 'map', entries: where === 'hosts' ? [{ key: 'address', value: scalar('10.0.0.9') }] : [] } });
    return injected(base, file, bad === 'all' ? /"all" is reserved/ : new RegExp(`is not a valid ${where.slice(0, -1)} name`), (at) => place(at, `${where}.${quoted}`).key, `${where}: ${quoted}`);
  },
};

// --- Types and ranges -------------------------------------------------------------------------------

const wrongType: InventoryFault = {
  name: 'wrong type (list for a map, number for text, text for a number, empty value)',
  stage: 'load',
  inject(rng, base, file) {
    const host = hostPath(rng, base);
    const [path, raw, says] = rng.pick<[string[], string, RegExp]>([
      [['vars'], rng.pick(['[a, b]', 'x', '12']), /must be a map of setting names/],
      [['connection'], rng.pick(['[pi]', 'pi', '22']), /must be a map with user, port/],
      [[...host, 'vars'], rng.pick(['[GOP]', 'GOP=60']), /must be a map of setting names/],
      [host, rng.pick(['[a]', '192.168.1.9', '42']), /must be a map \(address/],
      [[...groupPath(rng, base), 'hosts'], rng.pick([rng.pick(base.hosts), '{ a: 1 }', '12']), /must be a list of names/],
      [[...host, 'port'], rng.pick(['"22"', "'2222'", 'ssh', '[22]']), /must be a whole number from 1 to 65535/],
      [['connection', 'user'], rng.pick(['123', 'true', '[pi]', '{ a: b }']), /must be a login name/],
      [[...host, 'address'], rng.pick(['[a, b]', '{ x: 1 }', '10', 'true']), /must be a host name or IP address/],
      [[...varsPath(rng, base), 'GOP'], rng.pick(['[60]', '{ a: 1 }', '[]']), /must be one value|exactly one of env or secret|unknown key/],
      [[...varsPath(rng, base), 'GOP'], '', /has no value/],
    ]);
    const parent = path.length === 1 ? base.root : base.entries(path.slice(0, -1));
    const key = path[path.length - 1]!;
    const existing = parent.find((e) => e.key === key);
    if (existing) existing.value = scalar(raw);
    else parent.push({ key, value: scalar(raw) });
    const onKey = raw === '';
    // '{ a: 1 }' for a var is read as a reference with an unknown key: reported at that key.
    const refKey = path.includes('GOP') && raw === '{ a: 1 }';
    return injected(base, file, says, (at) => {
      const placed = place(at, path.join('.'));
      if (onKey) return placed.key;
      return refKey ? { line: placed.value.line, col: placed.value.col + 2 } : placed.value;
    }, `${path.join('.')}: ${raw}`);
  },
};

const outOfRange: InventoryFault = {
  name: 'port out of range',
  stage: 'load',
  inject(rng, base, file) {
    const path = rng.pick([[...hostPath(rng, base), 'port'], ['connection', 'port'], [...groupPath(rng, base), 'connection']]);
    const value = rng.pick([0, -rng.int(1, 100), rng.int(65536, 999999), 22.5]);
    if (path[path.length - 1] === 'connection') {
      base.entries(path.slice(0, -1)).push({ key: 'connection', value: { kind: 'map', entries: [{ key: 'port', value: scalar(String(value)) }] } });
      path.push('port');
    } else {
      const parent = base.entries(path.slice(0, -1));
      const existing = parent.find((e) => e.key === 'port');
      if (existing) existing.value = scalar(String(value));
      else parent.push({ key: 'port', value: scalar(String(value)) });
    }
    return injected(base, file, /must be a whole number from 1 to 65535/, (at) => place(at, path.join('.')).value, `${path.join('.')}: ${value}`);
  },
};

// --- References between hosts and groups -----------------------------------------------------------

const duplicateHost: InventoryFault = {
  name: 'host or group defined twice (same file, another file, host and group)',
  stage: 'load',
  inject(rng, base, file) {
    const variant = rng.int(0, 2);
    if (variant === 0) {
      const name = rng.pick(base.hosts);
      base.entries(['hosts']).push({ key: name, value: { kind: 'map', entries: [{ key: 'address', value: scalar('10.1.1.1') }] } });
      // Rendered twice under one key: the second is the last one in the text.
      const rendered = base.render(file);
      const lines = rendered.files[file]!.split('\n');
      const prefix = `${base.indent}${name}:`;
      const line = lines.map((l, i) => (l === prefix ? i + 1 : 0)).filter((i) => i > 0).pop()!;
      return { files: rendered.files, file, at: { line, col: base.indent.length + 1 }, says: new RegExp(`host ${name.replace(/\./g, '\\.')} is defined twice`), secrets: base.keys, shows: `hosts: ${name} twice` };
    }
    if (variant === 1) {
      // Another file, loaded after this one, defines the host again.
      const name = rng.pick(base.hosts);
      const other = `${file.replace(/\.yaml$/, '')}-more.yaml`;
      const pad = ' '.repeat(rng.int(0, 3));
      const rendered = base.render(file);
      const lines = [`# ${rng.word(8)}`, 'hosts:', `  ${pad}${name}: { address: 10.2.2.2 }`];
      return { files: { ...rendered.files, [other]: `${lines.join('\n')}\n` }, file: other, at: { line: 3, col: 3 + pad.length }, says: new RegExp(`host ${name.replace(/\./g, '\\.')} is defined twice`), secrets: base.keys, shows: `${other}: ${name}` };
    }
    const name = rng.pick(base.hosts);
    base.entries(['groups']).push({ key: name, value: { kind: 'map', entries: [] } });
    return injected(base, file, /a host is named .* too/, (at) => place(at, `groups.${name}`).key, `groups: ${name}`);
  },
};

const unknownRef: InventoryFault = {
  name: 'group lists an unknown host or group',
  stage: 'load',
  inject(rng, base, file) {
    const group = groupPath(rng, base);
    const list = rng.pick(['hosts', 'children']);
    const known = list === 'hosts' ? base.hosts : base.groups;
    const otherKind = list === 'hosts' ? base.groups.filter((g) => g !== group[1]) : base.hosts;
    const wrong = rng.next() < 0.3 && otherKind.length > 0 ? rng.pick(otherKind) : rng.next() < 0.5 ? typo(rng, rng.pick(known), [...base.hosts, ...base.groups]) : `x${rng.word(6)}`;
    const path = [...group, list];
    const entries = base.entries(group);
    let node = entries.find((e) => e.key === list);
    if (node === undefined) {
      node = { key: list, value: { kind: rng.pick(['flow-list', 'block-list'] as const), items: [] } };
      entries.push(node);
    }
    const items = (node.value as { items: string[] }).items;
    const index = rng.int(0, items.length);
    items.splice(index, 0, wrong);
    return injected(base, file, /no (host|group) named|is a (group|host), not a/, (at) => place(at, path.join('.')).items[index]!, `${path.join('.')}: ${items.join(', ')}`);
  },
};

const groupCycle: InventoryFault = {
  name: 'groups that contain each other',
  stage: 'load',
  inject(rng, base, file) {
    // New groups, appended in a random order, whose children form a ring; the check walks groups
    // in written order, so the ring closes at the child naming the first of them written.
    const ring = Array.from({ length: rng.int(1, 4) }, (_, i) => `ring${i}${rng.word(3, 'abc')}`);
    const written = [...ring].sort(() => rng.next() - 0.5);
    const groups = base.entries(['groups']);
    for (const name of written) {
      const next = ring[(ring.indexOf(name) + 1) % ring.length]!;
      groups.push({ key: name, value: { kind: 'map', entries: [{ key: 'hosts', value: { kind: 'flow-list', items: [rng.pick(base.hosts)] } }, { key: 'children', value: { kind: rng.pick(['flow-list', 'block-list'] as const), items: [next] } }] } });
    }
    const first = written[0]!;
    const closing = ring[(ring.indexOf(first) + ring.length - 1) % ring.length]!;
    return injected(base, file, /groups contain each other/, (at) => place(at, `groups.${closing}.children`).items[0]!, `ring ${ring.join(' -> ')}, written ${written.join(', ')}`);
  },
};

// --- References to values ---------------------------------------------------------------------------

const badReference: InventoryFault = {
  name: 'malformed { env } / { secret } reference',
  stage: 'load',
  inject(rng, base, file) {
    const path = [...varsPath(rng, base), rng.pick(['DLIVE_CLE_FLUX', 'KICK_CLE_FLUX'])];
    const name = rng.pick(['A_KEY', 'SALON_KEY', 'k1']);
    const [raw, says, offset] = rng.pick<[string, RegExp, number]>([
      [`{ env: ${name}, secret: ${name.toLowerCase()} }`, /exactly one of env or secret/, 0],
      [`{ secret: ${name}, env: X }`, /exactly one of env or secret/, 0],
      ['{}', /exactly one of env or secret/, 0],
      [`{ env: '' }`, /must be an environment variable name/, 7],
      [`{ secret: "" }`, /must be a secret name/, 10],
      [`{ env: ${rng.pick(['1A', 'A-B', 'A.B', '$A'])} }`, /must be an environment variable name/, 7],
      [`{ env: ${rng.pick(['12', 'true', '[A]'])} }`, /must name an environment variable/, 7],
      [`{ ${rng.pick(['evn', 'ENV', 'secrt', 'envv'])}: ${name} }`, /unknown key \(hint: did you mean (env|secret)\?/, 2],
    ]);
    const parent = base.entries(path.slice(0, -1));
    const existing = parent.find((e) => e.key === path[path.length - 1]);
    if (existing) existing.value = scalar(raw);
    else parent.push({ key: path[path.length - 1]!, value: scalar(raw) });
    return injected(base, file, says, (at) => {
      const { value } = place(at, path.join('.'));
      return { line: value.line, col: value.col + offset };
    }, `${path.join('.')}: ${raw}`);
  },
};

// --- A value the setting does not take (checked when a host's settings load) ------------------------

const allowedOf = (name: SettingName): string => SETTINGS[name].type.allowed;

const badSettingValue: InventoryFault = {
  name: 'value invalid for its setting',
  stage: 'settings',
  inject(rng, base, file) {
    const numbers = (Object.keys(SETTINGS) as SettingName[]).filter((n) => /whole number from|port from/.test(allowedOf(n)));
    const booleans = (Object.keys(SETTINGS) as SettingName[]).filter((n) => allowedOf(n) === 'true or false');
    const [setting, raw, says] = rng.pick<[SettingName, string, RegExp]>([
      [rng.pick(numbers.filter((n) => n !== 'CONSERVATION_JOURNAUX')), rng.pick(['abc', '12abc', '3.5', '-1', '"4000kbps"', '0x10', "'1 000'"]), /must be .*(whole number|port)/],
      [rng.pick(booleans), rng.pick(['yes', 'oui', '1', '"vrai"', 'on']), /must be true or false/],
      ['DLIVE_BITRATE_VIDEO', String(rng.int(500, 3499)), /does not suit both platforms/],
      ['DLIVE_CLE_FLUX', `'${rng.word(10)}${rng.pick([';', '$', ' ', '/', '"'])}${rng.word(12)}'`, /character \d+ of the key is/],
    ]);
    // Fleet vars are every host's; a group's or host's reach at least one host. Every host sets
    // its own stream key, which would hide one set lower.
    const path = [...(setting === 'DLIVE_CLE_FLUX' ? [...hostPath(rng, base), 'vars'] : varsPath(rng, base)), setting];
    const parent = base.entries(path.slice(0, -1));
    const existing = parent.find((e) => e.key === setting);
    if (existing) existing.value = scalar(raw);
    else parent.push({ key: setting, value: scalar(raw) });
    const secrets = setting === 'DLIVE_CLE_FLUX' ? [raw.slice(1, -1), raw.slice(1, 11), raw.slice(12, -1)] : [];
    return injected(base, file, says, (at) => place(at, path.join('.')).value, `${path.join('.')}: ${raw}`, secrets);
  },
};

export const INVENTORY_FAULT_KINDS: readonly InventoryFault[] = [
  unclosedQuote, unclosedFlow, badIndent, aliasBomb, tooDeep,
  unknownKey, unknownSetting, invalidName,
  wrongType, outOfRange,
  duplicateHost, unknownRef, groupCycle,
  badReference, badSettingValue,
];
