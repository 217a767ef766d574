import { describe, expect, it } from 'vitest';
import { clockCheck } from '../../../src/verify/checks/clock.js';

const ctx = { sentAt: 1000, answeredAt: 1001 };
const td = (text: string) => ({ properties: Object.fromEntries(text.split(' ').map((kv) => kv.split('=') as [string, string])), syncFlag: false });

describe('clock', () => {
  it('passes when NTP-synchronised and close to the controller', () => {
    expect(clockCheck({ now: 1000.5, timedate: td('NTP=yes NTPSynchronized=yes'), virt: 'none' }, ctx)).toMatchObject({ status: 'pass', value: "NTP-synchronised, within 0.1 s of the controller's clock" });
  });

  it('warns when right now but not synchronised: on a Pi, how to turn NTP on', () => {
    const r = clockCheck({ now: 1000.5, timedate: td('NTP=no NTPSynchronized=no'), virt: 'none' }, ctx);
    expect(r).toMatchObject({ status: 'warn', value: "not NTP-synchronised (time sync is off), within 0.1 s of the controller's clock" });
    expect(r.hint).toContain('timedatectl set-ntp true');
  });

  it('in a container (the lab) says the clock is the host kernel\'s', () => {
    const r = clockCheck({ now: 1000.5, timedate: td('CanNTP=no NTP=no NTPSynchronized=no'), virt: 'systemd-nspawn' }, ctx);
    expect(r.status).toBe('warn');
    expect(r.value).toContain('systemd-nspawn container');
    expect(r.hint).toContain('cannot synchronise');
  });

  it('fails when the clock is off by more than 10 s, synchronised or not', () => {
    expect(clockCheck({ now: 900, timedate: td('NTPSynchronized=no'), virt: 'none' }, ctx)).toMatchObject({ status: 'fail', value: "-100.0 s from the controller's clock; not NTP-synchronised" });
    expect(clockCheck({ now: 1100, timedate: td('NTPSynchronized=yes'), virt: 'none' }, ctx).status).toBe('fail');
  });

  it('the timesyncd flag counts when timedatectl cannot answer', () => {
    expect(clockCheck({ now: 1000.2, timedate: { properties: {}, syncFlag: true }, virt: 'none' }, ctx).status).toBe('pass');
  });
});
