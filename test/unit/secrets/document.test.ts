import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/errors.js';
import { parseSecretsText } from '../../../src/secrets/index.js';
import { DLIVE_KEY } from './helpers.js';

const V = DLIVE_KEY;
const problems = (text: string) => parseSecretsText(text, 's.age').issues.map(formatIssue);

describe('the clear text of a secrets file', () => {
  it('reads name: value lines as text, exactly as written (failsafe: no numbers, no booleans)', () => {
    const { entries, issues } = parseSecretsText(`# c\na: 0123\nb: no\nc: 'x # y'\nd: "q"\ne: ${V} # note\nf: ?k=1&t=2\n`, 's.age');
    expect(issues).toEqual([]);
    expect(entries.map((e) => [e.name, e.value.reveal(), e.line, e.col])).toEqual([
      ['a', '0123', 2, 4], ['b', 'no', 3, 4], ['c', 'x # y', 4, 4], ['d', 'q', 5, 4], ['e', V, 6, 4], ['f', '?k=1&t=2', 7, 4],
    ]);
  });

  it('an empty file or comments only hold no secret', () => {
    expect(parseSecretsText('', 's').entries).toEqual([]);
    expect(parseSecretsText('# nothing yet\n', 's').entries).toEqual([]);
  });

  // Each: the text, then the one issue expected (file:line:col, the name, the problem).
  const cases: Array<[string, string]> = [
    [`a: ${V}\na: ${V}x\n`, 's.age:2:1: a: is set twice (first at line 1)'],
    [`1a: ${V}\n`, "s.age:1:1: a secret's name must be a name"],
    [`my-key: ${V}\n`, "s.age:1:1: a secret's name must be a name"],
    ['a:\n', 's.age:1:'],
    ["a: ''\n", 's.age:1:4: a: is empty'],
    [`a: &${V}\n`, 's.age:1:4: a: starts with & or *'],
    [`a: *${V}\n`, 's.age:1:4: a: starts with & or *'],
    [`a: !${V}\n`, 's.age:1:4: a: starts with ! (a YAML tag)'],
    [`a: [${V}]\n`, 's.age:1:4: a: must be one value (text), not a list or a map'],
    [`a:\n  b: ${V}\n`, 's.age:2:3: a: must be one value (text)'],
    [`a: |\n  ${V}\n  more\n`, 's.age:1:4: a: spans several lines'],
    [`a: ' ${V}'\n`, 's.age:1:4: a: starts or ends with whitespace'],
    [`a: '${V}\n`, 's.age:1:4: a quote opened here is not closed'],
    [`a: b: ${V}\n`, 's.age:1:4: the value holds ": "'],
    [`- ${V}\n`, 's.age:1:1: the secrets must be a map of names to values'],
  ];
  it.each(cases)('refuses %j at its position, without its value', (text, expected) => {
    const found = problems(text);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toContain(expected);
    for (const line of found) expect(line).not.toContain(V);
  });
});
