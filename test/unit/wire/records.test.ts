import { describe, expect, it } from 'vitest';
import { decodeRecords, encodeRecord, flag, int, num, optional, RecordError, recordSchemas, text, word } from '../../../src/wire/records.js';

const SCHEMAS = recordSchemas({
  GW: { rc: int, took: num, error: text },
  LIVE: { state: word, synced: flag, since: optional(int) },
  END: {},
});

describe('decodeRecords', () => {
  it('decodes each known record by its schema, skips blank lines and unknown tags, keeps the order and line numbers', () => {
    const output = ['GW\t0\t0.012\tdGltZWQgb3V0Cg==', '', 'NEWER\tsomething\tthe controller does not know', 'LIVE\tsamples\t1\t42', 'LIVE\tstarting\t0', 'END'].join('\n');
    const records = decodeRecords(output, SCHEMAS, 'verify.sh');
    expect(records).toEqual([
      { tag: 'GW', line: 1, rc: 0, took: 0.012, error: 'timed out\n' },
      { tag: 'LIVE', line: 4, state: 'samples', synced: true, since: 42 },
      { tag: 'LIVE', line: 5, state: 'starting', synced: false, since: undefined },
      { tag: 'END', line: 6 },
    ]);
    expect(records.flatMap((r) => (r.tag === 'LIVE' ? [r.state] : []))).toEqual(['samples', 'starting']);
  });

  it('takes CRLF line ends and an empty text field', () => {
    expect(decodeRecords('GW\t127\t0\t\r\n', SCHEMAS, 's')).toEqual([{ tag: 'GW', line: 1, rc: 127, took: 0, error: '' }]);
  });

  it.each([
    ['GW\tx\t0\t', 'verify.sh: record 1 (GW) is malformed: field 1 (rc) "x": not a whole number'],
    ['END\n\nGW\t0\t1.5s\t', 'verify.sh: record 3 (GW) is malformed: field 2 (took) "1.5s": not a number'],
    ['GW\t0\t1\tnot base64!', 'verify.sh: record 1 (GW) is malformed: field 3 (error) "not base64!": not base64'],
    ['GW\t0', 'verify.sh: record 1 (GW) is malformed: field 2 (took) missing'],
    ['LIVE\tsamples\t2', 'verify.sh: record 1 (LIVE) is malformed: field 2 (synced) "2"'],
    ['END\textra', 'verify.sh: record 1 (END) is malformed: 1 fields, at most 0 expected ()'],
  ])('a record that breaks its schema is an error naming the script, the record and the field: %j', (output, message) => {
    let error: unknown;
    try {
      decodeRecords(output, SCHEMAS, 'verify.sh');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecordError);
    expect((error as Error).message.startsWith(message)).toBe(true);
  });
});

describe('encodeRecord', () => {
  it('writes what decodeRecords reads back (text in base64, flags as 1/0, an optional tail left off)', () => {
    const lines = [
      encodeRecord(SCHEMAS, 'GW', { rc: 7, took: 1.25, error: 'curl: (7) refused\n\ttab' }),
      encodeRecord(SCHEMAS, 'LIVE', { state: 'none', synced: false }),
      encodeRecord(SCHEMAS, 'END', {}),
    ];
    expect(lines[1]).toBe('LIVE\tnone\t0');
    expect(decodeRecords(lines.join('\n'), SCHEMAS, 'fake')).toEqual([
      { tag: 'GW', line: 1, rc: 7, took: 1.25, error: 'curl: (7) refused\n\ttab' },
      { tag: 'LIVE', line: 2, state: 'none', synced: false, since: undefined },
      { tag: 'END', line: 3 },
    ]);
  });

  it('refuses a word that would break the line', () => {
    expect(() => encodeRecord(SCHEMAS, 'LIVE', { state: 'a\tb', synced: true })).toThrow('LIVE.state: a word field cannot hold a tab or a newline');
  });
});
