import { describe, expect, it } from 'vitest';
import { statCheck } from '../../../src/verify/checks/nginx.js';
import { streamChecks } from '../../../src/verify/checks/stream.js';
import { parseStat, parseXml } from '../../../src/verify/parse/stat.js';
import { finalResults } from '../../../src/verify/decide.js';
import { DLIVE_KEY, fixture, KICK_KEY, labInput } from './helpers.js';

const LAB = fixture('stat-lab.xml');
const byName = (list: Array<{ name: string }>) => Object.fromEntries(list.map((o) => [o.name, o]));

function withoutClient(xml: string, addressStart: string): string {
  return xml.split('\n').filter((l) => !l.includes(`<address>${addressStart}`)).join('\n');
}

describe('/stat XML', () => {
  it('reads the publisher, the pushes (relays) and the video', () => {
    const stat = parseStat(LAB);
    expect(stat).toMatchObject({ nginxVersion: '1.22.1', rtmpVersion: '1.1.4' });
    const stream = stat?.applications[0]?.streams[0];
    expect(stat?.applications[0]?.name).toBe('diffusion');
    expect(stream?.name).toBe('orbis');
    expect(stream?.video).toEqual({ width: 640, height: 360, fps: 30, codec: 'H264' });
    expect(stream?.clients.map((c) => [c.address, c.relay, c.publishing, c.active])).toEqual([
      [`127.0.0.1:11935/app/${KICK_KEY}`, true, false, true],
      [`stream.dlive.tv/live/${DLIVE_KEY}`, true, false, true],
      ['127.0.0.1', false, true, true],
    ]);
  });

  it('is tolerant of entities and refuses broken XML', () => {
    expect(parseXml('<a><b>x &amp; y &#65;</b><c/></a>')).toEqual({ name: 'a', text: '', children: [{ name: 'b', text: 'x & y A', children: [] }, { name: 'c', text: '', children: [] }] });
    expect(parseXml('<a><b></a>')).toBeUndefined();
    expect(parseStat('<html>nope</html>')).toBeUndefined();
  });
});

describe('nginx.stat and the stream checks', () => {
  const input = labInput();

  it('pass with one live push per platform; push targets are masked in what is shown', () => {
    const { outcome, report } = statCheck(input, { stat: { rc: 0, code: 200, body: LAB, error: '' } });
    expect(outcome.status).toBe('pass');
    const r = byName(finalResults(streamChecks(input, report), input));
    expect(r['stream.publisher']).toMatchObject({ status: 'pass', value: 'diffusion/orbis published from 127.0.0.1 for 526.0 s, 640x360 H264 30 fps' });
    expect(r['stream.push.dlive']).toMatchObject({ status: 'pass', value: 'stream.dlive.tv/live/******** connected for 525.9 s' });
    expect(r['stream.push.kick']).toMatchObject({ status: 'pass', value: '127.0.0.1:11935/app/******** connected for 511.6 s' });
    expect(JSON.stringify(r)).not.toContain(KICK_KEY);
  });

  it('pushes with the key in playPath (no key in the address) match too', () => {
    const xml = LAB.replace(`/app/${KICK_KEY}`, '/app').replace(`/live/${DLIVE_KEY}`, '/live');
    const r = byName(streamChecks(input, parseStat(xml)));
    expect(r['stream.push.dlive']?.status).toBe('pass');
    expect(r['stream.push.kick']?.value).toBe('127.0.0.1:11935/app connected for 511.6 s');
  });

  it('a missing push fails, needing what carries it', () => {
    const r = byName(streamChecks(input, parseStat(withoutClient(LAB, '127.0.0.1:11935'))));
    expect(r['stream.push.kick']).toMatchObject({ status: 'fail', value: 'no connected push to Kick (through stunnel on 127.0.0.1:11935)' });
    expect(r['stream.push.kick']).toMatchObject({ needs: ['stream.publisher', 'unit.stunnel', 'listen.stunnel', 'tls.kick'] });
    expect(r['stream.push.dlive']?.status).toBe('pass');
  });

  it('a push that is not live yet is not connected', () => {
    const xml = LAB.replace(/(<address>stream\.dlive\.tv[^]*?)<active\/>/, '$1');
    expect(byName(streamChecks(input, parseStat(xml)))['stream.push.dlive']?.value).toBe('no connected push to DLive (stream.dlive.tv) (1 connecting, not live)');
  });

  it('two pushes to one platform, or a push to a disabled one, fail', () => {
    const dup = LAB.replace(/(<client><id>2<\/id>.*\n)/, '$1$1');
    expect(byName(streamChecks(input, parseStat(dup)))['stream.push.dlive']?.value).toMatch(/^2 pushes to DLive/);
    const dliveOnly = labInput(['KICK_ACTIF=false']);
    const r = byName(finalResults(streamChecks(dliveOnly, parseStat(LAB)), dliveOnly));
    expect(r['stream.push.unexpected']).toMatchObject({ status: 'fail', value: 'pushes to no enabled platform: 127.0.0.1:11935/app/********' });
    expect(r['stream.push.kick']).toBeUndefined();
  });

  it('no publisher: the streamer is not publishing', () => {
    const xml = withoutClient(LAB, '127.0.0.1<');
    const r = byName(streamChecks(input, parseStat(xml)));
    expect(r['stream.publisher']).toMatchObject({ status: 'fail', value: 'nobody publishes into diffusion', needs: ['nginx.stat', 'unit.orbis', 'btfs.gateway'] });
  });

  it('/stat down or not nginx-rtmp', () => {
    expect(statCheck(input, { stat: { rc: 7, code: 0, body: '', error: 'curl: (7) Failed to connect' } }).outcome).toMatchObject({ status: 'fail', needs: ['unit.nginx', 'listen.stats'] });
    expect(statCheck(input, { stat: { rc: 0, code: 404, body: '', error: '' } }).outcome.value).toBe('http://127.0.0.1:8088/stat: HTTP 404');
    expect(statCheck(input, { stat: { rc: 0, code: 200, body: '<html/>', error: '' } }).outcome.value).toContain('not nginx-rtmp statistics');
  });
});
