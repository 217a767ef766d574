import { describe, expect, it } from 'vitest';
import { globMatcher, limitHosts, parsePattern, parseRetryFile, retryFileText, selectHosts, type HostUniverse } from '../../../src/inventory/index.js';
import { configErrorOf } from '../config/helpers.js';
import { inventoryOf } from './helpers.js';

const universe: HostUniverse = {
  hosts: ['pi-1', 'pi-2', 'pi-3', 'pi3', 'salon', 'cuisine'],
  groups: new Map<string, string[]>([
    ['group', ['pi-1', 'pi-2', 'pi3']],
    ['maison', ['salon', 'cuisine']],
    ['pi4', ['salon', 'pi-2']],
  ]),
};

const select = (pattern: string, files: Record<string, string> = {}) =>
  selectHosts(universe, pattern, {
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return text;
    },
  });
const limitError = (pattern: string, files: Record<string, string> = {}) => configErrorOf(() => select(pattern, files)).message;

describe('host patterns (--limit)', () => {
  it.each([
    ['salon', ['salon']],
    ['maison', ['salon', 'cuisine']],
    ['pi-*', ['pi-1', 'pi-2', 'pi-3']],
    ['pi*', ['pi-1', 'pi-2', 'pi-3', 'pi3', 'salon']], // the glob matches group pi4 too
    ['pi-[12]', ['pi-1', 'pi-2']],
    ['pi-[!1]', ['pi-2', 'pi-3']],
    ['pi-?', ['pi-1', 'pi-2', 'pi-3']],
    ['cuisine,salon', ['salon', 'cuisine']], // inventory order, not pattern order
    ['cuisine:pi-1', ['pi-1', 'cuisine']],
    ['group:!pi3', ['pi-1', 'pi-2']],
    ['group,!pi3', ['pi-1', 'pi-2']],
    ['!pi3:group', ['pi-1', 'pi-2']], // exclusions apply wherever written
    ['!maison', ['pi-1', 'pi-2', 'pi-3', 'pi3']], // only exclusions: from every host
    ['all:!pi-*:!pi3', ['salon', 'cuisine']],
    ['*', universe.hosts],
    ['group:&pi4', ['pi-2']],
    ['maison:group:&pi4', ['pi-2', 'salon']],
    ['&pi4', ['pi-2', 'salon']],
    [' maison : ! cuisine ', ['salon']],
  ])('%s selects %j', (pattern, expected) => {
    expect(select(pattern)).toEqual(expected);
  });

  it('reads @retry-file: names one a line, comments and blank lines ignored', () => {
    const files = { 'last.retry': '# failed on the last run\npi-3\n\ncuisine  # unreachable\n' };
    expect(select('@last.retry', files)).toEqual(['pi-3', 'cuisine']);
    expect(select('@last.retry:!cuisine', files)).toEqual(['pi-3']);
    expect(select('maison:!@last.retry', files)).toEqual(['salon']);
  });

  it('writes the retry file it reads', () => {
    expect(parseRetryFile(retryFileText(['pi-3', 'cuisine']))).toEqual(['pi-3', 'cuisine']);
  });

  it('a term that matches nothing is an error, with the closest name', () => {
    expect(limitError('group:!pi-4:!pi33').split('\n')).toEqual([
      '--limit: pi-4: is no host or group of the inventory (hint: did you mean pi-1?)',
      '--limit: pi33: is no host or group of the inventory (hint: did you mean pi-3?)',
    ]);
    expect(limitError('maisson')).toBe('--limit: maisson: is no host or group of the inventory (hint: did you mean maison?)');
    expect(limitError('zz-*')).toBe('--limit: zz-*: matches no host or group (hint: `orbis inventory -i FILE` lists hosts and groups)');
  });

  it('a selection left empty, an empty pattern, an operator alone', () => {
    expect(limitError('maison:&group')).toBe(
      '--limit: maison:&group: selects no host (hint: each part matches hosts, but together they leave none; `orbis inventory -i FILE` lists hosts and groups)',
    );
    expect(limitError(' , ')).toMatch(/^--limit: is empty/);
    expect(limitError('maison:!')).toMatch(/^--limit: !: names nothing after its operator/);
  });

  it('a retry file that is missing, empty, or names unknown hosts', () => {
    expect(limitError('@gone.retry')).toBe('--limit: @gone.retry: no such file (hint: a retry file lists host names, one a line)');
    expect(limitError('@empty.retry', { 'empty.retry': '\n# nothing\n' })).toMatch(/^--limit: @empty\.retry: names no host/);
    expect(limitError('@old.retry', { 'old.retry': 'pi-1\nbureau\ngarage\n' })).toMatch(/^--limit: @old\.retry: names hosts the inventory does not have: bureau, garage/);
  });

  it('parses terms with their operators', () => {
    expect(parsePattern('a,!b:&c*:@f.retry:all')).toEqual([
      { op: 'union', kind: 'name', text: 'a' },
      { op: 'exclude', kind: 'name', text: 'b' },
      { op: 'intersect', kind: 'glob', text: 'c*' },
      { op: 'union', kind: 'file', text: 'f.retry' },
      { op: 'union', kind: 'all', text: 'all' },
    ]);
  });

  it('globs match whole names; regex characters are literal', () => {
    expect(globMatcher('pi.*')('pi.1')).toBe(true);
    expect(globMatcher('pi.*')('pix1')).toBe(false);
    expect(globMatcher('pi')('pi-1')).toBe(false);
    expect(globMatcher('[a-c]x')('bx')).toBe(true);
  });
});

describe('--limit over a loaded inventory', () => {
  const inventory = () =>
    inventoryOf({
      'f.yaml': 'hosts: { a: {}, b: {}, c: {}, d: {} }\ngroups:\n  top: { children: [mid], hosts: [a] }\n  mid: { hosts: [b, c] }\n',
    });

  it('a group includes its children\'s hosts', () => {
    expect(limitHosts(inventory(), 'top')).toEqual(['a', 'b', 'c']);
    expect(limitHosts(inventory(), 'top:!mid')).toEqual(['a']);
    expect(limitHosts(inventory(), undefined)).toEqual(['a', 'b', 'c', 'd']);
  });
});
