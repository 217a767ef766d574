import { describe, expect, it } from 'vitest';
import { deriveLive, lastError, streamerRates } from '../../../src/status/derive.js';
import { parseJournal, parseStatusOutput } from '../../../src/status/parse.js';
import { DLIVE_KEY, fixture, journalLine, KICK_KEY, NOW, statusInput, statusOutput, unitsText } from './helpers.js';

const input = statusInput();
const at = new Date(NOW * 1000);
const live = (parts: Parameters<typeof statusOutput>[0] = {}, i = input) => deriveLive('pi1', i, parseStatusOutput(statusOutput(parts)), at, 1);
const LAB = fixture('stat-lab.xml');
const withoutClient = (xml: string, addressStart: string): string => xml.split('\n').filter((l) => !l.includes(`<address>${addressStart}`)).join('\n');

describe('the live state of a Pi', () => {
  it('streaming to both platforms: ok, with the relay\'s bitrates, the streamer\'s fps, speed and round', () => {
    const h = live({ units: unitsText({ 'orbis.service': { ActiveEnterTimestamp: `@${NOW - 600}`, StateChangeTimestamp: `@${NOW - 600}`, NRestarts: 2 } }) });
    expect(h).toMatchObject({
      name: 'pi1',
      status: 'ok',
      stream: { publishing: true, publishingForSec: 526, inKbps: 1234, outKbps: 2468, fps: 30, speed: 1, round: 7, videos: 2 },
      platforms: [
        { platform: 'dlive', state: 'connected', connectedForSec: 526, dropped: 0, clientIds: [2] },
        { platform: 'kick', state: 'connected', connectedForSec: 512, dropped: 0, clientIds: [7] },
      ],
      uptimeSec: 600,
      restarts: 2,
      gateway: 'up',
      problems: [],
      roundTrips: 1,
    });
    expect(h.units.find((u) => u.unit === 'orbis.service')).toEqual({ unit: 'orbis.service', active: 'active', sub: 'running', restarts: 2, sinceSec: 600 });
  });

  it('a platform\'s push missing: degraded, the other one still connected, and the retry named', () => {
    const h = live({ stat: [0, 200, withoutClient(LAB, '127.0.0.1:11935')] });
    expect(h.status).toBe('degraded');
    expect(h.platforms.map((p) => [p.platform, p.state])).toEqual([['dlive', 'connected'], ['kick', 'disconnected']]);
    expect(h.problems).toEqual(['Kick: no push; nginx-rtmp retries every 3 s']);
  });

  it('a push nginx holds but that is not live yet is connecting', () => {
    const xml = LAB.replace(/(<address>stream\.dlive\.tv[^\n]*)<active\/>/, '$1');
    expect(live({ stat: [0, 200, xml] }).platforms[0]).toEqual({ platform: 'dlive', state: 'connecting', clientIds: [2] });
  });

  it('BTFS stopped: down, and the cause comes first, then what follows from it', () => {
    const units = unitsText({
      'btfs.service': { ActiveState: 'inactive', SubState: 'dead', StateChangeTimestamp: `@${NOW - 12}` },
      'orbis.service': { ActiveState: 'activating', SubState: 'auto-restart', NRestarts: 1, StateChangeTimestamp: `@${NOW - 2}` },
    });
    const stat = LAB.replace(/<client><id>1<\/id>.*\n/, '').replace(/<client>.*relay.*\n/g, '');
    const h = live({ units, gw: `7\t000 0 0\t${Buffer.from('curl: (7) Failed to connect to 127.0.0.1 port 8080').toString('base64')}`, stat: [0, 200, stat], etat: '' });
    expect(h.status).toBe('down');
    expect(h.gateway).toBe('down');
    expect(h.problems).toEqual([
      'btfs.service is inactive (dead) for 12 s: the streamer has no source (the BTFS gateway)',
      'orbis.service is activating (auto-restart) for 2 s: it failed and systemd restarts it (1 restart so far)',
      'the BTFS gateway does not answer (curl: (7) Failed to connect to 127.0.0.1 port 8080)',
      'nothing is published into diffusion: the streamer (orbis.service) is not streaming',
    ]);
    expect(h.stream).toEqual({ publishing: false });
    expect(h.uptimeSec).toBeUndefined();
  });

  it('the BTFS daemon: ready with its memory; a full node waiting for funds names its address and the ways out, before the gateway', () => {
    expect(live().btfs).toEqual({ state: 'ready', memoryMiB: 90, restarts: 0 });
    const address = '0x9f3a52c1b2e4d5f60718293a4b5c6d7e8f901234';
    const funding = `cannot continue until there is sufficient (30000 Suggested) BTT (for Gas) available on ${address} `;
    const h = live({ btfs: ['41943040', funding], gw: `7\t000 0 0\t${Buffer.from('Failed to connect').toString('base64')}`, stat: [0, 200, LAB.replace(/<publishing\/>/g, '')] });
    expect(h.btfs).toEqual({ state: 'waiting-for-funds', fundingAddress: address, memoryMiB: 40, restarts: 0 });
    expect(h.problems[0]).toBe(
      `btfs is a full node waiting for its address ${address} to hold BTT for gas: it opens no gateway until then; set BTFS_MODE=forcer-simple and provision (a gateway-only node), or fund it and set BTFS_MODE=complet`,
    );
    expect(h.problems[1]).toMatch(/^the BTFS gateway does not answer/);
    // No word from this start yet, and no gateway: starting; a gateway that serves is ready even
    // when the journal no longer holds the daemon's words (weeks up, journal vacuumed).
    expect(live({ btfs: ['[not set]', ''], gw: `7\t000 0 0\t${Buffer.from('Failed to connect').toString('base64')}` }).btfs).toEqual({ state: 'starting', restarts: 0 });
    expect(live({ btfs: ['94371840', ''] }).btfs?.state).toBe('ready');
    // systemd bringing it back (its memory limit, a crash): restarting, with its restarts.
    const units = unitsText({ 'btfs.service': { ActiveState: 'activating', SubState: 'auto-restart', NRestarts: 3 } });
    expect(live({ units, btfs: ['[not set]', ''] }).btfs).toEqual({ state: 'restarting', restarts: 3 });
  });

  it('a streamer that gave up says so, and how to start it again', () => {
    const units = unitsText({ 'orbis.service': { ActiveState: 'failed', SubState: 'failed', Result: 'start-limit-hit' } });
    expect(live({ units }).problems[0]).toMatch(/^orbis\.service is failed \(failed\): it failed too often and systemd gave up; .*orbis provision/);
  });

  it('no /stat: down, and said', () => {
    const h = live({ stat: [7, 0, ''] });
    expect(h.status).toBe('down');
    expect(h.stream).toBeUndefined();
    expect(h.problems).toContain('nginx-rtmp\'s /stat does not answer: the stream cannot be seen');
  });

  it('a stream slower than real time is a problem', () => {
    const etat = `at_us=${(NOW - 1) * 1e6} frames=3120 bytes=1 media_us=104000000\nat_us=${(NOW - 6) * 1e6} frames=3000 bytes=0 media_us=100000000\n`;
    const h = live({ etat });
    expect(h.stream).toMatchObject({ fps: 24, speed: 0.8 });
    expect(h.problems).toEqual(['the stream runs at 0.8x real time: the encoder or the source cannot keep up']);
  });

  it('a video on air: which one, since when; ok', () => {
    const tour = `round=7\nstarted=${(NOW - 3) * 1e6}\nvideos=2\non_air=video\nsince=${(NOW - 3) * 1e6}\nitem=2\nsource=http://127.0.0.1:8080/btfs/QmB\nreason=\n`;
    const h = live({ tour });
    expect(h.status).toBe('ok');
    expect(h.stream).toMatchObject({ onAir: 'video', onAirForSec: 3, item: 2, source: 'http://127.0.0.1:8080/btfs/QmB' });
    expect(h.stream?.slateReason).toBeUndefined();
  });

  it('on the slate: still publishing, degraded, with why and what was skipped (masked like any text from the Pi)', () => {
    const tour = [
      'round=9', `started=${(NOW - 20) * 1e6}`, 'videos=2', 'on_air=slate', `since=${(NOW - 14) * 1e6}`, 'item=2', 'source=',
      'reason=the BTFS gateway does not serve http://127.0.0.1:8080/btfs/QmB (curl: (7) Failed to connect to 127.0.0.1 port 8080)',
      `skip=${(NOW - 20) * 1e6} http://127.0.0.1:8080/btfs/QmA the gateway answered HTTP 504`,
      `skip=${(NOW - 14) * 1e6} http://127.0.0.1:8080/btfs/QmB FFmpeg could not play it (exit 1) near ${DLIVE_KEY}`,
    ].join('\n');
    const h = live({ tour });
    expect(h.status).toBe('degraded');
    expect(h.stream).toMatchObject({ publishing: true, onAir: 'slate', onAirForSec: 14, slateReason: 'the BTFS gateway does not serve http://127.0.0.1:8080/btfs/QmB (curl: (7) Failed to connect to 127.0.0.1 port 8080)' });
    expect(h.stream?.skipped).toEqual([
      { source: 'http://127.0.0.1:8080/btfs/QmA', why: 'the gateway answered HTTP 504', agoSec: 20 },
      { source: 'http://127.0.0.1:8080/btfs/QmB', why: 'FFmpeg could not play it (exit 1) near ********', agoSec: 14 },
    ]);
    expect(h.problems).toEqual([
      'on the slate for 14 s: the BTFS gateway does not serve http://127.0.0.1:8080/btfs/QmB (curl: (7) Failed to connect to 127.0.0.1 port 8080); the playlist resumes at the next video the gateway serves',
      'skipped 20 s ago: http://127.0.0.1:8080/btfs/QmA (the gateway answered HTTP 504)',
      'skipped 14 s ago: http://127.0.0.1:8080/btfs/QmB (FFmpeg could not play it (exit 1) near ********)',
    ]);
    expect(JSON.stringify(h)).not.toContain(DLIVE_KEY);
  });

  it('the prefetch cache: what it holds of the next videos, its size and today\'s writes, what it could not take', () => {
    const cache = 'cached=2\nmissing=1\nahead=2\nvideos=3\nheld=838860800\nwritten_today=1258291200\nblocked=http://127.0.0.1:8080/btfs/QmC: today\'s write budget (CACHE_ECRITURE_JOUR_MAX_MIO=1024) is spent\n';
    const h = deriveLive('pi1', input, parseStatusOutput(statusOutput({ cache })), at, 1);
    expect(h.cache).toEqual({
      disabled: false, videos: 3, ahead: 2, cached: 2, heldMiB: 800, writtenTodayMiB: 1200,
      blocked: "http://127.0.0.1:8080/btfs/QmC: today's write budget (CACHE_ECRITURE_JOUR_MAX_MIO=1024) is spent",
    });
    expect(deriveLive('pi1', input, parseStatusOutput(statusOutput({ cache: 'disabled=1\n' })), at, 1).cache).toMatchObject({ disabled: true, cached: 0 });
    // A Pi without the cache service (provisioned before it): no cache field at all.
    expect(live().cache).toBeUndefined();
  });

  it('with only DLive on, there is no Kick platform to judge', () => {
    const dliveOnly = statusInput(['PLATEFORMES=dlive']);
    const h = live({ stat: [0, 200, withoutClient(LAB, '127.0.0.1:11935')] }, dliveOnly);
    expect(h.status).toBe('ok');
    expect(h.platforms.map((p) => p.platform)).toEqual(['dlive']);
  });

  it('nothing it shows carries a stream key', () => {
    const journal = [journalLine(NOW - 3, 'orbis.service', `push to rtmp://stream.dlive.tv/live/${DLIVE_KEY} failed, also ${KICK_KEY}`, 3)];
    const text = JSON.stringify(live({ journal }));
    expect(text).not.toContain(DLIVE_KEY);
    expect(text).not.toContain(KICK_KEY);
    expect(text).toContain('rtmp://stream.dlive.tv/live/********');
  });
});

describe('streamer rates', () => {
  const s = (atSec: number, frames: number, mediaSec: number) => ({ atUs: atSec * 1e6, frames, bytes: 0, mediaUs: mediaSec * 1e6 });
  it('between the two last samples', () => {
    expect(streamerRates([s(10, 300, 10), s(5, 150, 5)], 11e6)).toEqual({ fps: 30, speed: 1 });
  });
  it('none from one sample, or a stale one (the streamer stopped writing)', () => {
    expect(streamerRates([s(10, 300, 10)], 11e6)).toBeUndefined();
    expect(streamerRates([s(10, 300, 10), s(5, 150, 5)], 40e6)).toBeUndefined();
  });
});

describe('the last error', () => {
  const entries = (...lines: string[]) => parseJournal(lines.join('\n'));
  it('the newest error-like line; stunnel\'s LOG3 counts, its follow-up does not', () => {
    const e = entries(
      journalLine(NOW - 30, 'orbis.service', 'old error', 3),
      journalLine(NOW - 4, 'stunnel@kick.service', 'LOG3[6]: s_connect: connect 10.0.0.2:443: Connection refused (111)'),
      journalLine(NOW - 4, 'stunnel@kick.service', 'LOG3[6]: No more addresses to connect'),
      journalLine(NOW - 3, 'stunnel@kick.service', 'LOG5[6]: Connection reset: 0 byte(s) sent to TLS'),
    );
    expect(lastError(e, input, NOW * 1e6)).toEqual({ unit: 'stunnel@kick.service', ageSec: 4, message: 'LOG3[6]: s_connect: connect 10.0.0.2:443: Connection refused (111)' });
  });
  it('systemd saying a unit failed gives way to the unit\'s own reason just before', () => {
    const e = entries(
      journalLine(NOW - 10, 'orbis.service', 'no video answered through the BTFS gateway for round 9', 3),
      journalLine(NOW - 9, 'orbis.service', "orbis.service: Failed with result 'exit-code'.", 4, true),
    );
    expect(lastError(e, input, NOW * 1e6)?.message).toBe('no video answered through the BTFS gateway for round 9');
    const alone = entries(journalLine(NOW - 9, 'btfs.service', "btfs.service: Failed with result 'signal'.", 4, true));
    expect(lastError(alone, input, NOW * 1e6)?.message).toBe("btfs.service: Failed with result 'signal'.");
  });
  it('none when nothing failed', () => {
    expect(lastError(entries(journalLine(NOW - 1, 'orbis.service', 'round 3 of the playlist: 1 video(s)')), input, NOW * 1e6)).toBeUndefined();
  });
});
