import { describe, expect, it } from 'vitest';
import { isSystemdUnitPath, normalizeMode, unitFileCandidates } from '../../../src/resources/common.js';

describe('normalizeMode', () => {
  it.each([
    ['644', '0644'],
    ['0644', '0644'],
    ['00644', '0644'],
    ['2775', '2775'],
    ['0755', '0755'],
    // Not a mode: kept as written, so it never equals a real one by accident.
    ['rw-r--r--', 'rw-r--r--'],
    ['0', '0'],
  ])('%s -> %s', (mode, expected) => {
    expect(normalizeMode(mode)).toBe(expected);
  });
});

describe('isSystemdUnitPath', () => {
  it.each<[string, boolean]>([
    ['/etc/systemd/system/orbis.service', true],
    ['/etc/systemd/system/orbis.timer', true],
    ['/lib/systemd/system/nginx.service', true],
    ['/etc/systemd/system/nginx.service.d/override.conf', true],
    ['/etc/systemd/system.conf', false],
    ['/etc/nginx/nginx.conf', false],
    ['/etc/systemd/system/orbis.service.bak', false],
  ])('%s: %s', (path, expected) => {
    expect(isSystemdUnitPath(path)).toBe(expected);
  });
});

describe('unitFileCandidates', () => {
  it('an instance is defined by its own file or by its template', () => {
    const candidates = unitFileCandidates('stunnel@kick.service');
    expect(candidates).toContain('/etc/systemd/system/stunnel@kick.service');
    expect(candidates).toContain('/etc/systemd/system/stunnel@.service');
    expect(candidates).toContain('/lib/systemd/system/stunnel@.service');
  });
});
