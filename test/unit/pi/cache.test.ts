// The prefetch cache (templates/orbis-service/orbis-cache) as a Pi runs it, here: the script and
// its settings rendered by the real role, this machine's curl, and the loopback stand-in gateway
// (./streamer-stand-ins.ts). It keeps the next videos that fit, in the order they will play, and
// evicts only what is not among them (least recently played first); a day's writes are capped;
// its settings are read again before each pass; no partial file is ever under a video's name.
// With the streamer: a warm cache makes a gateway outage invisible on air.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStreamerState, type StreamerState } from '../../../src/verify/parse/streamer.js';
import { colourTimeline, longestSlate } from '../../media/frames.js';
import { flashBeepAudio, flashBeepVideo } from '../../media/sync.js';
import { keyValues, lastValue } from '../../../src/wire/key-values.js';
import { Gateway, rendered, writeStreamer } from './streamer-stand-ins.js';
import { execFileSync } from 'node:child_process';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const KiB = 1024;
/** Well-formed CIDs (the cache names a video by its CID). */
const CIDS = ['QmAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'QmBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', 'QmCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC'];

/** The cache's own state file, as key=value pairs. */
function cacheState(dir: string): Record<string, string> {
  try {
    const values = keyValues(readFileSync(join(dir, 'media', '.etat'), 'utf8'));
    return Object.fromEntries([...values.keys()].map((k) => [k, lastValue(values, k)]));
  } catch {
    return {};
  }
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * A time zone where it is about noon now. The day's write budget restarts at the Pi's midnight
 * (the script counts per `date +%F`): a run of these tests across this machine's midnight saw
 * the budget it had spent vanish (CI, 00:00). POSIX TZ: "ORB-3" is 3 hours ahead of UTC.
 */
function middayZone(): string {
  const ahead = 12 - new Date().getUTCHours();
  return `ORB${ahead > 0 ? '-' : '+'}${Math.abs(ahead)}`;
}

function cacheConf(sizeMiB: number, budgetMiB: number, list: string): string {
  const conf = rendered([`CACHE_TAILLE_MAX_MIO=${sizeMiB}`, 'CACHE_DISQUE_LIBRE_MIN_MIO=0', `CACHE_ECRITURE_JOUR_MAX_MIO=${budgetMiB}`]).get('/etc/orbis/cache.conf') ?? '';
  return `${conf}\nLISTE=${list}\n`;
}

describe('the prefetch cache, on this machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orbis-cache-'));
  const www = join(dir, 'www');
  const gateway = new Gateway(www, 20000 + ((process.pid + 7919) % 20000));
  const url = (cid: string) => `http://127.0.0.1:${gateway.port}/btfs/${cid}`;
  const cached = () => readdirSync(join(dir, 'cache', 'media')).filter((f) => !f.startsWith('.')).sort();
  let cache: ChildProcess;
  let log = '';

  beforeAll(async () => {
    mkdirSync(join(www, 'btfs'), { recursive: true });
    mkdirSync(join(dir, 'run'));
    for (const cid of CIDS) writeFileSync(join(www, 'btfs', cid), randomBytes(400 * KiB));
    writeFileSync(join(dir, 'liste.txt'), CIDS.map(url).join('\n') + '\n');
    // The streamer plays the second video: the cache keeps what comes from there on.
    writeFileSync(join(dir, 'run', 'tour'), `on_air=video\nsource=${url(CIDS[1] as string)}\n`);
    writeFileSync(join(dir, 'cache.conf'), cacheConf(1, 100, join(dir, 'liste.txt')));
    writeFileSync(join(dir, 'orbis-cache'), rendered().get('/usr/local/bin/orbis-cache') ?? '', { mode: 0o755 });
    // A partial download left by a cut (a reboot mid-fetch): gone at start, never played.
    mkdirSync(join(dir, 'cache', 'media'), { recursive: true });
    writeFileSync(join(dir, 'cache', 'media', `${CIDS[0]}.part`), 'half');
    await gateway.start();
    cache = spawn('bash', [join(dir, 'orbis-cache')], {
      env: { ...process.env, ORBIS_CACHE_CONF: join(dir, 'cache.conf'), CACHE_DIRECTORY: join(dir, 'cache'), ORBIS_RUN: join(dir, 'run'), TZ: middayZone() },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    cache.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  });

  afterAll(async () => {
    cache?.kill('SIGKILL');
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the next videos that fit, from the one on air, and no more: two of 400 KiB under 1 MiB, then nothing more written', async () => {
    await until('a pass', () => (cacheState(join(dir, 'cache')).cached === '2' ? true : undefined), 20_000);
    expect(cached(), log).toEqual([CIDS[1], CIDS[2]].sort());
    expect(existsSync(join(dir, 'cache', 'media', `${CIDS[0]}.part`))).toBe(false);
    const written = cacheState(join(dir, 'cache')).written_today;
    expect(Number(written)).toBe(800 * KiB);
    // Passes go on (every 5 s): the third video, which does not fit, is not fetched round after round.
    await sleep(6000);
    expect(cacheState(join(dir, 'cache'))).toMatchObject({ cached: '2', ahead: '2', videos: '3', written_today: written });
  }, 40_000);

  it('a day\'s writes are capped; the settings are read again at each pass; what is no longer next is evicted', async () => {
    // 800 KiB written today, 1 MiB allowed from the next pass on (no restart).
    writeFileSync(join(dir, 'cache.conf'), cacheConf(1, 1, join(dir, 'liste.txt')));
    await sleep(6000);
    // The streamer moves on to the first video: the next ones are now the first and the second.
    writeFileSync(join(dir, 'run', 'tour'), `on_air=video\nsource=${url(CIDS[0] as string)}\n`);
    const s = await until('the budget to hold the first video back', () => {
      const st = cacheState(join(dir, 'cache'));
      return st.blocked ? st : undefined;
    }, 20_000);
    expect(s.blocked).toBe(`${url(CIDS[0] as string)}: today's write budget (CACHE_ECRITURE_JOUR_MAX_MIO=1) is spent`);
    // Nothing was evicted for a video that could not be written.
    expect(cached()).toEqual([CIDS[1], CIDS[2]].sort());
    // A larger budget: the first video comes, and the third (no longer among the next) makes room.
    writeFileSync(join(dir, 'cache.conf'), cacheConf(1, 100, join(dir, 'liste.txt')));
    await until('the first video cached', () => (cached().includes(CIDS[0] as string) ? true : undefined), 20_000).catch((e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(cacheState(join(dir, 'cache')))} ${cached().join(' ')}\n${log}`); });
    expect(cached()).toEqual([CIDS[0], CIDS[1]].sort());
    expect(log).toContain(`evicted ${CIDS[2]} (least recently played, not among the next videos)`);
  }, 60_000);
});

describe('a warm cache, with the streamer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orbis-warm-'));
  const www = join(dir, 'www');
  const run = join(dir, 'run');
  const flv = join(dir, 'published.flv');
  const gateway = new Gateway(www, 20000 + ((process.pid + 15485) % 20000));
  const url = (cid: string) => `http://127.0.0.1:${gateway.port}/btfs/${cid}`;
  const seen: Array<{ atMs: number; state: StreamerState }> = [];
  const children: ChildProcess[] = [];
  let stderr = '';

  beforeAll(async () => {
    mkdirSync(join(www, 'btfs'), { recursive: true });
    mkdirSync(run);
    for (const cid of CIDS.slice(0, 2)) {
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', flashBeepVideo('320x180', 30), '-f', 'lavfi', '-i', flashBeepAudio(44100), '-t', '3',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-movflags', '+faststart', '-f', 'mp4', join(www, 'btfs', cid)]);
    }
    writeFileSync(join(dir, 'liste.txt'), CIDS.slice(0, 2).map(url).join('\n') + '\n');
    const files = rendered();
    const streamerEnv = writeStreamer(dir, files, { liste: join(dir, 'liste.txt'), destination: flv });
    writeFileSync(join(dir, 'orbis-cache'), files.get('/usr/local/bin/orbis-cache') ?? '', { mode: 0o755 });
    writeFileSync(join(dir, 'cache.conf'), cacheConf(64, 100, join(dir, 'liste.txt')));
    await gateway.start();
    const env = { ...process.env, ...streamerEnv, ORBIS_CACHE_CONF: join(dir, 'cache.conf'), CACHE_DIRECTORY: join(dir, 'cache'), RUNTIME_DIRECTORY: run, ORBIS_RUN: run };
    for (const script of ['orbis-cache', 'orbis-diffuser']) {
      const child = spawn('bash', [join(dir, script)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      children.push(child);
    }
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the gateway gone for 8 s is not seen on air: no slate, the playlist plays on from disk', async () => {
    await until('both videos cached', () => (cacheState(join(dir, 'cache')).cached === '2' ? true : undefined), 30_000);
    await sleep(4000);
    const look = async (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        try {
          seen.push({ atMs: Date.now(), state: parseStreamerState('', readFileSync(join(run, 'tour'), 'utf8')) });
        } catch {
          // being rewritten
        }
        await sleep(250);
      }
    };
    await gateway.stop();
    await look(8000);
    await gateway.start();
    await look(2000);
    children[1]?.kill('SIGTERM');
    expect(seen.length).toBeGreaterThan(20);
    expect(seen.filter((s) => s.state.onAir?.what !== 'video').map((s) => s.state), stderr).toEqual([]);
    // Both videos kept playing through the outage, each in turn.
    expect(new Set(seen.map((s) => s.state.onAir?.source))).toEqual(new Set(CIDS.slice(0, 2).map(url)));
    await until('the publisher to end', () => (children[1]?.exitCode !== null ? true : undefined), 10_000);
    expect(longestSlate(await colourTimeline(flv)).seconds).toBe(0);
  }, 90_000);
});

