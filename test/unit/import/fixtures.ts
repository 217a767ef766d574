// An upstream install as the import's probe brings it back, built from the same texts the lab
// helper lays down on a Pi (test/fixtures/upstream/layout.ts), so the unit tests and the e2e
// test read the same files.
import { readUpstream, type UpstreamInstall } from '../../../src/import/read-upstream.js';
import type { RemoteFile, UpstreamProcess, UpstreamSnapshot } from '../../../src/import/types.js';
import {
  BTFS_UNIT, rtmpBlock, STATS_SITE, STUNNEL_KICK, UPSTREAM_PROJECT, upstreamConfText, upstreamPlaylists, type UpstreamKeys,
} from '../../fixtures/upstream/layout.js';

export const KEYS: UpstreamKeys = { dlive: 'unit_dlive_5f1e2d', kick: 'sk_us-west-2_unitkick77' };
export const TEST_CID = 'QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2';
export const BARS_CID = 'QmYdVDJbRkNNUEzUuAswHaZrmRAY1aC8gJXGbeoJY9JGVL';

/** Debian's nginx.conf, shortened, with upstream's include appended as diffuser.sh does. */
export const NGINX_CONF = `user www-data;
worker_processes auto;
pid /run/nginx.pid;
include /etc/nginx/modules-enabled/*.conf;

events {
\tworker_connections 768;
}

http {
\tinclude /etc/nginx/mime.types;
\tinclude /etc/nginx/conf.d/*.conf;
\tinclude /etc/nginx/sites-enabled/*;
}

# Orbis Alternis -- bloc RTMP
include /etc/nginx/orbis-rtmp-block.conf;
`;

export function file(path: string, text: string, mode = '0644', owner = 'root'): RemoteFile {
  return { path, text, mode, owner, mtime: 1_747_000_000, size: Buffer.byteLength(text) };
}

export interface SnapshotOptions {
  keys?: UpstreamKeys;
  conf?: string;
  /** Replace (text) or drop (null) files by path. */
  files?: Record<string, string | null>;
  processes?: UpstreamProcess[];
  orbisManaged?: string[];
  units?: UpstreamSnapshot['units'];
}

export function snapshotOf(options: SnapshotOptions = {}): UpstreamSnapshot {
  const keys = options.keys ?? KEYS;
  const p = UPSTREAM_PROJECT;
  const playlists = upstreamPlaylists(TEST_CID, BARS_CID);
  const texts: Record<string, string> = {
    [`${p}/conf/orbis.conf`]: options.conf ?? upstreamConfText(keys),
    [`${p}/conf/stunnel-kick.conf`]: STUNNEL_KICK,
    ...Object.fromEntries(Object.entries(playlists.files).map(([name, text]) => [`${p}/ldl/${name}`, text])),
    '/etc/nginx/nginx.conf': NGINX_CONF,
    '/etc/nginx/orbis-rtmp-block.conf': rtmpBlock(keys),
    '/etc/nginx/sites-enabled/orbis-stats.conf': STATS_SITE,
    '/etc/stunnel/stunnel.conf': STUNNEL_KICK,
    '/etc/systemd/system/btfs.service': BTFS_UNIT,
  };
  for (const [path, text] of Object.entries(options.files ?? {})) {
    if (text === null) delete texts[path];
    else texts[path] = text;
  }
  const files = new Map(Object.entries(texts).map(([path, text]) => [path, file(path, text, '0644', path.startsWith('/home/') ? 'pi' : 'root')]));
  return {
    hostname: 'salon',
    projects: [{ dir: p, owner: 'pi' }],
    files,
    listed: [`${p}/scripts/diffuser.sh`, `${p}/img/logo.png`].map((path) => ({ path, mode: '0755', owner: 'pi', mtime: 1_747_000_000, size: 400 })),
    units: options.units ?? {
      'btfs.service': { active: 'active', enabled: 'enabled' },
      'nginx.service': { active: 'active', enabled: 'enabled' },
      'stunnel4.service': { active: 'active', enabled: 'enabled' },
      'orbis.service': { active: 'inactive', enabled: 'not-found' },
    },
    processes: options.processes ?? [],
    orbisManaged: options.orbisManaged ?? [],
    homes: { pi: '/home/pi' },
  };
}

export function installOf(options: SnapshotOptions = {}): UpstreamInstall {
  return readUpstream(snapshotOf(options), 'salon');
}

/** The streamer as a user starts it: by hand, in the project folder. */
export function handStartedStreamer(args: string[]): UpstreamProcess {
  return { pid: 4242, args: ['bash', 'scripts/diffuser.sh', ...args], cwd: UPSTREAM_PROJECT, unit: '', user: 'pi' };
}
