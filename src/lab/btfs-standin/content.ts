// Content the BTFS stand-in network holds: short test videos (H.264 + AAC, like what orbis
// streams), generated once with the controller's FFmpeg and cached, each under a CID. The
// first one is the seed's BTFS_HASH_TEST, orbis's default probe CID.
import { createHash } from 'node:crypto';
import { readFile, stat, mkdir, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { cachePath, ensureCached, recipeHash } from '../cache.js';
import { run } from '../exec.js';

/** The seed's test CID (orbis.conf BTFS_HASH_TEST). */
export const TEST_CID = 'QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2';

export interface ContentSpec {
  name: string;
  description: string;
  /** Fixed CID, or undefined to derive a well-formed CIDv0 from the bytes. */
  cid?: string;
  /** FFmpeg lavfi sources. */
  video: string;
  audio: string;
  seconds: number;
}

/** lavfi sources of a clip that measures A/V sync: black with a white frame for the first 0.1 s of each second... */
export const flashBeepVideo = (size: string, fps: number): string =>
  `color=c=black:size=${size}:rate=${fps},drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='lt(mod(t,1),0.1)'`;
/** ...and a 1 kHz beep for the same 0.1 s, silence otherwise (test/media/sync.ts measures it). */
export const flashBeepAudio = (rate: number): string => `sine=frequency=1000:sample_rate=${rate},volume=volume=0:enable='gte(mod(t,1),0.1)'`;

/** The name of the flash-and-beep clip, for the tests that measure A/V sync at the platforms. */
export const FLASH_BEEP_NAME = 'flash-beep-640x360-5s.mp4';

export const CONTENT: readonly ContentSpec[] = [
  {
    name: 'test-pattern-640x360-6s.mp4',
    description: 'test pattern with a 440 Hz tone, 640x360, 30 fps, 6 s, H.264 Main + AAC',
    cid: TEST_CID,
    video: 'testsrc2=size=640x360:rate=30',
    audio: 'sine=frequency=440:sample_rate=44100',
    seconds: 6,
  },
  {
    name: 'colour-bars-640x360-4s.mp4',
    description: 'colour bars with an 880 Hz tone, 640x360, 30 fps, 4 s, H.264 Main + AAC',
    video: 'smptebars=size=640x360:rate=30',
    audio: 'sine=frequency=880:sample_rate=44100',
    seconds: 4,
  },
  {
    name: FLASH_BEEP_NAME,
    description: 'a white flash and a 1 kHz beep at the same instant once a second, 640x360, 30 fps, 5 s, H.264 Main + AAC',
    video: flashBeepVideo('640x360', 30),
    audio: flashBeepAudio(44100),
    seconds: 5,
  },
];

export interface ContentItem {
  cid: string;
  name: string;
  description: string;
  /** The file on the controller, named by CID inside a directory the ingest serves. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface ContentSet {
  /** Directory of files named by CID (served as the ingest's /btfs/). */
  dir: string;
  items: ContentItem[];
}

export async function ensureContent(log?: (message: string) => void): Promise<ContentSet> {
  const entry = cachePath('btfs', `content-${recipeHash(JSON.stringify(CONTENT), 'v1')}`);
  await ensureCached(entry, { what: 'the BTFS stand-in test videos', log }, async (partial) => {
    const dir = join(partial, 'btfs');
    await mkdir(dir, { recursive: true });
    const items: Omit<ContentItem, 'path'>[] = [];
    for (const spec of CONTENT) {
      const temp = join(partial, spec.name);
      await run(
        'ffmpeg',
        [
          '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
          '-f', 'lavfi', '-i', spec.video,
          '-f', 'lavfi', '-i', spec.audio,
          '-t', String(spec.seconds), '-map', '0:v', '-map', '1:a',
          '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
          '-g', '60', '-b:v', '500k',
          '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
          '-movflags', '+faststart', temp,
        ],
        { hint: 'the lab generates its test videos with FFmpeg: apt-get install ffmpeg', timeoutMs: 5 * 60_000 },
      );
      const bytes = await readFile(temp);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const cid = spec.cid ?? cidV0(bytes);
      await rename(temp, join(dir, cid));
      items.push({ cid, name: spec.name, description: spec.description, bytes: bytes.length, sha256 });
    }
    await writeFile(join(partial, 'manifest.json'), `${JSON.stringify(items, null, 2)}\n`);
  });
  const dir = join(entry, 'btfs');
  const listed = JSON.parse(await readFile(join(entry, 'manifest.json'), 'utf8')) as Omit<ContentItem, 'path'>[];
  const items = await Promise.all(
    listed.map(async (item) => {
      const path = join(dir, item.cid);
      await stat(path);
      return { ...item, path };
    }),
  );
  return { dir, items };
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** A CIDv0 (base58btc of the sha2-256 multihash) of the bytes: well-formed, content-derived. */
export function cidV0(bytes: Buffer): string {
  const multihash = Buffer.concat([Buffer.from([0x12, 0x20]), createHash('sha256').update(bytes).digest()]);
  let value = BigInt(`0x${multihash.toString('hex')}`);
  let out = '';
  while (value > 0n) {
    out = BASE58[Number(value % 58n)] + out;
    value /= 58n;
  }
  return out;
}
