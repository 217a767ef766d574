import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/redact/secret.js';
import { contentDiff, type ContentDiffInput } from '../../../src/resources/diff.js';
import { sha } from './fixtures.js';

function diff(oldContent: string | undefined, newContent: string, extra: Partial<ContentDiffInput> = {}) {
  return contentDiff({
    path: '/etc/x.conf',
    exists: true,
    oldContent,
    oldSha256: oldContent === undefined ? 'aaaaaaaabbbb' : sha(oldContent),
    newContent,
    newSha256: sha(newContent),
    ...extra,
  });
}

describe('contentDiff', () => {
  it.each<[string, string, string]>([
    ['', 'new file, 0 lines', ''],
    ['one\n', 'new file, 1 line', '+one\n'],
    ['one\ntwo', 'new file, 2 lines', '+one\n+two\n\\ No newline at end of file\n'],
  ])('a new file %j', (content, summary, body) => {
    const result = diff(undefined, content, { exists: false });
    expect(result.summary).toBe(summary);
    expect(result.diff ?? '').toContain(body);
  });

  it('old content unknown: no diff, and the summary says why', () => {
    expect(diff(undefined, 'new\n')).toEqual({
      summary: `content sha256 aaaaaaaa -> ${sha('new\n').slice(0, 8)}, old content not fetched`,
    });
  });

  it('a missing final newline is a change of its own', () => {
    const result = diff('a\n', 'a');
    expect(result.summary).toBe('content +1 -1');
    expect(result.diff).toContain('\\ No newline at end of file');
  });

  it('CRLF -> LF shows every line', () => {
    expect(diff('a\r\nb\r\n', 'a\nb\n').summary).toBe('content +2 -2');
  });

  it('headers name the path, not a temp file', () => {
    expect(diff('a\n', 'b\n').diff?.split('\n').slice(0, 2)).toEqual(['--- a/etc/x.conf', '+++ b/etc/x.conf']);
  });

  describe('secrets', () => {
    const KEY = 'live_8c7f6e5d4c3b2a19';

    it('masks a secret given as a Secret object', () => {
      const result = diff('a\n', `push rtmp://stream.dlive.tv/live/${KEY};\n`, { secretValues: [new Secret(KEY)] });
      expect(result.diff).toContain('+push rtmp://stream.dlive.tv/live/********;');
      expect(result.diff).not.toContain(KEY);
    });

    it('masks an old key it was never told about, on a line shaped like the new one', () => {
      const line = (key: string): string => `    push rtmp://stream.dlive.tv/live/${key};\n`;
      const result = diff(`rtmp {\n${line('OLD_key_123')}}\n`, `rtmp {\n${line(KEY)}}\n`, { secretValues: [KEY] });
      expect(result.diff).toContain('-    push rtmp://stream.dlive.tv/live/********;');
      expect(result.diff).toContain('+    push rtmp://stream.dlive.tv/live/******** (changed);');
      expect(result.diff).not.toContain('OLD_key_123');
    });

    it('masks each line of a multi-line secret (a PEM key)', () => {
      const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
      const result = diff('', `${pem}\n`, { exists: false, secretValues: [pem] });
      expect(result.diff).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
    });

    it('a secret inside another is masked whole (longest first)', () => {
      const result = diff('', 'k=abcdef\n', { exists: false, secretValues: ['abc', 'abcdef'] });
      expect(result.diff).toContain('+k=********\n');
    });

    it('lines of other shapes are left alone', () => {
      const result = diff('key=OLD\nport=1935\n', `key=${KEY}\nport=1936\n`, { secretValues: [KEY] });
      expect(result.diff).toContain('-port=1935');
      expect(result.diff).toContain('-key=********');
    });
  });
});
