// The decoders against what a real Pi answered: lab/*.txt were recorded from the demo's streaming
// lab Pi by test/wire/record-answers.ts (the facts probe of the whole stack, verify, a status look,
// the run history), through orbis's own code. Each record the real scripts print is one their
// schemas declare, and each answer decodes into what that Pi was: Debian, the stack installed and
// running, the stream on air, a run recorded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHistory } from '../../../src/engine/history.js';
import { parseFacts } from '../../../src/facts/probe.js';
import { parseStatusOutput } from '../../../src/status/parse.js';
import { parseVerifyOutput } from '../../../src/verify/parse/output.js';
import { FACTS_RECORDS } from '../../../src/wire/facts.js';
import { HISTORY_RECORDS } from '../../../src/wire/history.js';
import { RecordError, type RecordSchemas } from '../../../src/wire/records.js';
import { STATUS_RECORDS } from '../../../src/wire/status.js';
import { VERIFY_RECORDS } from '../../../src/wire/verify.js';

const answer = (name: string): string => readFileSync(join(import.meta.dirname, 'lab', name), 'utf8');
const FACTS = answer('gather-facts.txt');
const VERIFY = answer('verify-full.txt');
const STATUS = answer('status.txt');
const HISTORY = answer('read-the-run-history.txt');

describe('what a lab Pi answered, decoded', () => {
  it.each([
    ['facts', FACTS, FACTS_RECORDS],
    ['verify', VERIFY, VERIFY_RECORDS],
    ['status', STATUS, STATUS_RECORDS],
    ['history', HISTORY, HISTORY_RECORDS],
  ] as Array<[string, string, RecordSchemas]>)('every line of the %s answer is a record its schemas declare', (_name, output, schemas) => {
    const lines = output.split('\n');
    expect(lines.pop()).toBe(''); // ends with a newline
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.filter((line) => !Object.hasOwn(schemas, line.split('\t')[0] ?? ''))).toEqual([]);
  });

  it('facts: the Debian lab Pi with the stack installed and running', () => {
    const facts = parseFacts(FACTS, { packages: [], units: [], paths: [], users: [], groups: [], guards: [] });
    expect(facts.os).toMatchObject({ id: 'debian', codename: expect.stringMatching(/^[a-z]+$/) });
    expect(['amd64', 'arm64']).toContain(facts.arch);
    expect(facts.root).toBe(true);
    expect(Object.keys(facts.packages).sort()).toEqual(expect.arrayContaining(['ffmpeg', 'nginx', 'stunnel4']));
    expect(facts.units['orbis.service']).toMatchObject({ load: 'loaded', active: 'active', enabled: 'enabled' });
    expect(facts.encoders).toContain('libx264');
    expect(facts.paths['/etc/nginx/nginx.conf']).toMatchObject({ exists: true, type: 'file', mode: '0644', owner: 'root', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(Object.keys(facts.manifest).length).toBeGreaterThan(10);
    expect(Object.keys(facts.guards).length).toBeGreaterThan(0);
  });

  it('verify: every look answered, the stream on air, no test encode', () => {
    const o = parseVerifyOutput(VERIFY);
    expect(o.complete).toBe(true);
    expect(o.listeners?.map((l) => l.port)).toEqual(expect.arrayContaining([1935, 11935, 8080]));
    expect(o.live).toMatchObject({ state: 'samples', etat: expect.stringContaining('at_us=') });
    expect(o.ffmpeg).toBeUndefined();
    expect(o.tls?.rc).toBe(0);
    expect(o.nginxTest?.rc).toBe(0);
    expect(o.stat).toMatchObject({ rc: 0, code: 200, body: expect.stringContaining('<rtmp>') });
    expect(Object.values(o.resolved).every((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a))).toBe(true);
  });

  it('status: the streamer\'s samples, the BTFS daemon and the journal', () => {
    const o = parseStatusOutput(STATUS);
    expect(o.complete).toBe(true);
    expect(o.streamer.samples.length).toBe(2);
    // go-btfs's own line on starting; a lab container keeps no memory account ([not set]).
    expect(o.btfs).toEqual({ said: { ready: true } });
    expect(Array.isArray(o.journal)).toBe(true);
  });

  it('history: the demo\'s run recorded, with its backups and the files as they are now', () => {
    const h = parseHistory(HISTORY);
    expect(h.records).toHaveLength(1);
    expect(h.unreadable).toBe(0);
    expect(h.backups.size).toBe(1);
    expect(h.fingerprint).not.toBe('');
    expect([...h.filesNow.values()].some((f) => f.kind === 'file')).toBe(true);
  });

  it('a record damaged in transit is an error that names the script, the record and the field', () => {
    const lines = VERIFY.split('\n');
    const at = lines.findIndex((l) => l.startsWith('LIVE\t'));
    lines[at] = (lines[at] ?? '').replace(/^LIVE\tsamples\t\d+/, 'LIVE\tsamples\t4x6');
    expect(() => parseVerifyOutput(lines.join('\n'))).toThrow(RecordError);
    expect(() => parseVerifyOutput(lines.join('\n'))).toThrow(`verify script: record ${at + 1} (LIVE) is malformed: field 2 (sinceStartSec) "4x6": not a whole number`);
  });
});
