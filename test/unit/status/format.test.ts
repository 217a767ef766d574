import { describe, expect, it } from 'vitest';
import { deriveLive } from '../../../src/status/derive.js';
import { formatDuration, formatStatusTable } from '../../../src/status/format.js';
import { parseStatusOutput } from '../../../src/status/parse.js';
import { failedLive, statusExitCode, statusReport } from '../../../src/status/run.js';
import { UnreachableError } from '../../../src/transport/errors.js';
import { fixture, journalLine, NOW, statusInput, statusOutput, unitsText } from './helpers.js';

const input = statusInput();
const at = new Date(NOW * 1000);

describe('the fleet table', () => {
  it('one row per Pi; what is wrong and the last error under it, for the Pis that are not ok', () => {
    const ok = deriveLive('salon', input, parseStatusOutput(statusOutput({ units: unitsText({ 'orbis.service': { ActiveEnterTimestamp: `@${NOW - 3725}` } }) })), at, 1);
    const noKick = fixture('stat-lab.xml').split('\n').filter((l) => !l.includes('<address>127.0.0.1:11935')).join('\n');
    const journal = [journalLine(NOW - 4, 'stunnel@kick.service', 'LOG3[6]: s_connect: connect 10.0.0.2:443: Connection refused (111)')];
    const degraded = deriveLive('cuisine', input, parseStatusOutput(statusOutput({ stat: [0, 200, noKick], journal })), at, 1);
    const gone = failedLive('garage', new UnreachableError({ host: 'garage', port: 22, reason: 'refused', detail: 'connection refused', hint: 'is sshd running?' }), input, 0);
    const text = formatStatusTable(statusReport([ok, degraded, gone]));
    expect(text.split('\n').slice(0, 4)).toEqual([
      'HOST     STATUS       STREAM       DLIVE     KICK      IN kb/s  OUT kb/s  FPS   SPEED  ROUND  UPTIME  RESTARTS  BTFS',
      'salon    ok           up 8m46s     up 8m46s  up 8m32s  1234     2468      30.0  1.00x  7      1h02m   0         ready 90MiB',
      'cuisine  degraded     up 8m46s     up 8m46s  DOWN      1234     2468      30.0  1.00x  7      -       0         ready 90MiB',
      'garage   unreachable  UNREACHABLE  ?         ?         -        -         -     -      -      -       -         -',
    ]);
    expect(text).toContain('3 hosts: 1 ok, 1 degraded, 1 unreachable');
    expect(text).toContain('cuisine: Kick: no push; nginx-rtmp retries every 3 s');
    expect(text).toContain('cuisine: last error 4s ago (stunnel@kick.service): LOG3[6]: s_connect: connect 10.0.0.2:443: Connection refused (111)');
    expect(text).toContain('garage: cannot reach garage (port 22): connection refused\n  hint: is sshd running?');
    expect(text).not.toMatch(/^salon: /m);
  });

  it('a Pi that refuses the login is auth-failed, not unreachable: it answered', () => {
    const refused = failedLive('atelier', new UnreachableError({ host: 'atelier', port: 22, reason: 'auth', detail: 'authentication failed for user pi (offered: /k)', hint: 'check the key' }), input, 0);
    expect(refused.status).toBe('auth-failed');
    const text = formatStatusTable(statusReport([refused]));
    expect(text.split('\n')[1]).toMatch(/^atelier +auth-failed +LOGIN REFUSED +\? +\? /);
    expect(text).toContain('1 host: 1 auth-failed');
    expect(text).toContain('atelier: atelier (port 22) refused the login: authentication failed for user pi (offered: /k)');
    expect(statusExitCode(statusReport([refused]))).toBe(1);
  });

  it('the BTFS column: a full node waiting for funds, and a daemon systemd keeps bringing back', () => {
    const funds = `cannot continue until there is sufficient (30000 Suggested) BTT (for Gas) available on 0x${'ab'.repeat(20)} `;
    const waiting = deriveLive('salon', input, parseStatusOutput(statusOutput({ btfs: ['41943040', funds], gw: `7\t000 0 0\t${Buffer.from('Failed to connect').toString('base64')}` })), at, 1);
    const units = unitsText({ 'btfs.service': { ActiveState: 'activating', SubState: 'auto-restart', NRestarts: 4 } });
    const restarting = deriveLive('cuisine', input, parseStatusOutput(statusOutput({ units, btfs: ['[not set]', ''] })), at, 1);
    const text = formatStatusTable(statusReport([waiting, restarting]));
    expect(text.split('\n')[1]).toMatch(/ FUNDS\? 40MiB$/);
    expect(text.split('\n')[2]).toMatch(/ RESTARTING 4r$/);
    expect(text).toContain(`salon: btfs is a full node waiting for its address 0x${'ab'.repeat(20)} to hold BTT for gas`);
  });

  it('a Pi on the slate: still up, SLATE in its stream cell, and why under the table', () => {
    const tour = `round=2\nvideos=1\non_air=slate\nsince=${(NOW - 30) * 1e6}\nreason=the BTFS gateway does not serve http://127.0.0.1:8080/btfs/QmA (no answer)\n`;
    const slate = deriveLive('salon', input, parseStatusOutput(statusOutput({ tour })), at, 1);
    const text = formatStatusTable(statusReport([slate]));
    expect(text.split('\n')[1]).toMatch(/^salon +degraded +up 8m46s SLATE +up 8m46s /);
    expect(text).toContain('salon: on the slate for 30 s: the BTFS gateway does not serve http://127.0.0.1:8080/btfs/QmA (no answer); the playlist resumes at the next video the gateway serves');
  });

  it('durations stay short', () => {
    expect([0, 59, 61, 3600, 90061].map(formatDuration)).toEqual(['0s', '59s', '1m01s', '1h00m', '1d01h']);
    expect(formatDuration(undefined)).toBe('-');
  });
});
