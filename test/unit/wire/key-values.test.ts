import { describe, expect, it } from 'vitest';
import { keyValues, lastValue, wholeValue } from '../../../src/wire/key-values.js';

describe('keyValues: the key=value files of the Pi services', () => {
  it('keeps every value of a repeated key in order, and a value runs to the end of its line', () => {
    const kv = keyValues('round=3\nskip=1 http://a/QmA the gateway said 404\nskip=2 http://a/QmB x=y\nreason=a = b\n');
    expect(kv.get('skip')).toEqual(['1 http://a/QmA the gateway said 404', '2 http://a/QmB x=y']);
    expect(lastValue(kv, 'reason')).toBe('a = b');
    expect(wholeValue(kv, 'round')).toBe(3);
  });

  it('ignores lines without a key, and answers empty or 0 for what is missing or not a number', () => {
    const kv = keyValues('\n=orphan\nno equals here\nheld=12x\nempty=\n');
    expect([...kv.keys()]).toEqual(['held', 'empty']);
    expect(wholeValue(kv, 'held')).toBe(0);
    expect(wholeValue(kv, 'absent')).toBe(0);
    expect(lastValue(kv, 'absent')).toBe('');
    expect(lastValue(kv, 'empty')).toBe('');
  });

  it('gives the last value when a single-valued key repeats (a file rewritten by appending)', () => {
    expect(lastValue(keyValues('on_air=video\non_air=slate\n'), 'on_air')).toBe('slate');
  });
});
