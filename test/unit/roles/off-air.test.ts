import { describe, expect, it } from 'vitest';
import { describeOnAir, KICK_TLS_SEC, NGINX_RESTART_SEC, onAirEffect, STREAMER_RESTART_SEC } from '../../../src/roles/off-air.js';

const restart = (name: string, unit: string) => ({ name, unit, action: 'restart' as const });
const both = ['dlive', 'kick'] as const;

describe('what a run does to the channel on air', () => {
  it('a restart of the streamer or of nginx takes every platform off air; the longest counts', () => {
    const streamer = onAirEffect({ handlers: [restart('restart orbis', 'orbis.service')], platforms: both, streaming: true, pushReconnectSec: 3 });
    expect(streamer).toEqual({ streaming: true, offAir: ['dlive', 'kick'], upToSec: STREAMER_RESTART_SEC, because: ['restart orbis (orbis.service)'] });
    const withNginx = onAirEffect({ handlers: [restart('restart nginx', 'nginx.service'), restart('restart orbis', 'orbis.service')], platforms: both, streaming: true, pushReconnectSec: 3 });
    expect(withNginx.upToSec).toBe(NGINX_RESTART_SEC);
    expect(withNginx.offAir).toEqual(['dlive', 'kick']);
    expect(describeOnAir(withNginx)).toBe(`on air: DLive and Kick off air for up to ${NGINX_RESTART_SEC} s (restart nginx (nginx.service), restart orbis (orbis.service))`);
  });

  it("stunnel's restart takes Kick alone off air, for push_reconnect and a TLS handshake; not at all when Kick is off", () => {
    const kick = onAirEffect({ handlers: [restart('restart stunnel kick', 'stunnel@kick.service')], platforms: both, streaming: true, pushReconnectSec: 7 });
    expect(kick.offAir).toEqual(['kick']);
    expect(kick.upToSec).toBe(7 + KICK_TLS_SEC);
    expect(onAirEffect({ handlers: [restart('restart stunnel kick', 'stunnel@kick.service')], platforms: ['dlive'], streaming: true, pushReconnectSec: 7 }).offAir).toEqual([]);
  });

  it('BTFS, the cache, journald, a reload or a command leave it on air; BTFS says the slate will show', () => {
    const effect = onAirEffect({
      handlers: [restart('restart btfs', 'btfs.service'), restart('restart orbis-cache', 'orbis-cache.service'), restart('restart journald', 'systemd-journald.service'),
        { name: 'reload nginx', unit: 'nginx.service', action: 'reload' as const }, { name: 'daemon', unit: 'nginx.service', command: 'true' }],
      platforms: both, streaming: true, pushReconnectSec: 3,
    });
    expect(effect.offAir).toEqual([]);
    expect(effect.upToSec).toBe(0);
    expect(describeOnAir(effect)).toMatch(/^on air: stays on air; the slate is on air while BTFS restarts/);
  });

  it('a Pi that does not stream has nothing to take off air', () => {
    const idle = onAirEffect({ handlers: [restart('restart orbis', 'orbis.service')], platforms: both, streaming: false, pushReconnectSec: 3 });
    expect(idle).toEqual({ streaming: false, offAir: [], upToSec: 0, because: [] });
    expect(describeOnAir(idle)).toBe('on air: not streaming now, nothing to take off air');
  });
});
