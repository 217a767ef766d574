import { describe, expect, it } from 'vitest';
import { faultStep, isFaultPoint, parseFault, pauseEvent, pauseSeconds } from '../../../src/engine/fault.js';
import type { Plan } from '../../../src/engine/plan.js';

const plan: Plan = {
  changes: [
    { id: { role: 'nginx-rtmp', type: 'package', name: 'nginx' }, summary: 'install', actions: [] },
    { id: { role: 'nginx-rtmp', type: 'file', name: '/etc/nginx/nginx.conf' }, summary: 'update', actions: [] },
  ],
  handlers: [],
  pendingFromEarlier: [],
  manifest: {},
  empty: false,
};

describe('fault points (safety suite)', () => {
  it('reads none when unset or blank', () => {
    expect(parseFault(undefined)).toBeUndefined();
    expect(parseFault('  ')).toBeUndefined();
  });

  it('reads an action, a moment and a step (steps may hold colons)', () => {
    expect(parseFault('kill@ok:validate:nginx-rtmp')).toEqual({ action: 'kill', when: 'ok', step: 'validate:nginx-rtmp' });
    expect(parseFault('cut@begin:file:/etc/nginx/nginx.conf')).toEqual({ action: 'cut', when: 'begin', step: 'file:/etc/nginx/nginx.conf' });
    expect(parseFault('reboot@begin:handlers')?.action).toBe('reboot');
  });

  it('refuses anything else, saying the form', () => {
    expect(() => parseFault('explode@ok:3')).toThrow(/expected <cut\|kill\|reboot>@<begin\|ok>:<step>/);
    expect(() => parseFault('kill@done:3')).toThrow(/ORBIS_FAULT=kill@done:3/);
  });

  it('finds the step that writes a file, and the event line the script pauses at', () => {
    const fault = parseFault('kill@ok:file:/etc/nginx/nginx.conf');
    if (!fault) throw new Error('no fault');
    expect(faultStep(fault, plan)).toBe('1');
    expect(pauseEvent(fault, '1')).toBe('OK\t1');
    expect(isFaultPoint(fault, { kind: 'ok', step: '1' }, '1')).toBe(true);
    expect(isFaultPoint(fault, { kind: 'begin', step: '1' }, '1')).toBe(false);
    expect(faultStep({ ...fault, step: 'file:/etc/absent' }, plan)).toBeUndefined();
    expect(faultStep({ ...fault, step: 'handlers' }, plan)).toBe('handlers');
  });

  it('pauses long enough for a kill or a reboot to land, briefly for a cut (the run then goes on)', () => {
    expect(pauseSeconds({ action: 'kill', when: 'ok', step: '1' })).toBeGreaterThanOrEqual(30);
    expect(pauseSeconds({ action: 'reboot', when: 'ok', step: '1' })).toBeGreaterThanOrEqual(30);
    expect(pauseSeconds({ action: 'cut', when: 'ok', step: '1' })).toBeLessThanOrEqual(5);
  });
});
