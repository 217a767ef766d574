// The `ingest` host: the lab's stand-in internet. It plays
//   - DLive: nginx-rtmp on 1935, application `live`, recording every stream it receives;
//   - Kick: stunnel on 443 with a certificate for Kick's ingest host name signed by the lab CA,
//     relaying to nginx-rtmp application `app`, recording too;
//   - the BTFS world: an HTTP server (port 80) with the stand-in's release tarballs and the
//     content its daemon fetches by CID.
// Its packages live in a cached layer (base + nginx, libnginx-mod-rtmp, stunnel4) so `lab up`
// installs nothing; per-lab files (configs, certificate) are written on its overlay.
import { chown, mkdir, readFile, symlink, writeFile, copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BaseImage } from './base.js';
import { cachePath, ensureCached, recipeHash } from './cache.js';
import { LabError } from './exec.js';
import { mountOverlay, unmountUnder } from './mounts.js';
import type { Bind } from './nspawn.js';
import { runInRoot } from './nspawn.js';
import type { LabPki } from './pki.js';

export const INGEST_PACKAGES = ['nginx', 'libnginx-mod-rtmp', 'stunnel4'] as const;

/** Names lab hosts resolve to the ingest through /etc/hosts. */
export const INGEST_NAMES = {
  dlive: 'stream.dlive.tv',
  kick: 'fa723fc1b171.global-contribute.live-video.net',
  btfsBootstrap: 'btfs-bootstrap.orbis-lab',
  http: 'ingest.orbis-lab',
} as const;

export const DLIVE_APPLICATION = 'live';
export const KICK_APPLICATION = 'app';
export const RTMP_PORT = 1935;
export const KICK_TLS_PORT = 443;

/** Paths inside the ingest. */
const RECORDINGS = '/var/lib/ingest/recordings';
const WEB_ROOT = '/var/www/ingest';

export interface IngestLayer {
  /** Upper layer to stack on the base (overlay lowers: [layer, base]). */
  dir: string;
}

export async function ensureIngestLayer(base: BaseImage, log?: (message: string) => void): Promise<IngestLayer> {
  const hash = recipeHash(base.entry, INGEST_PACKAGES.join(','), 'v1');
  const entry = cachePath('rootfs', `ingest-${base.arch}-${hash}`);
  await ensureCached(entry, { what: 'the ingest layer (nginx-rtmp, stunnel)', log }, async (partial) => {
    const upper = join(partial, 'layer');
    const work = join(partial, 'work');
    const merged = join(partial, 'merged');
    await mountOverlay({ lowers: [base.rootfs], upper, work, target: merged });
    try {
      await runInRoot(
        merged,
        [
          '/bin/sh',
          '-c',
          'set -e; apt-get install -y -q --no-install-recommends "$@"; rm -f /etc/nginx/sites-enabled/default; apt-get clean',
          'sh',
          ...INGEST_PACKAGES,
        ],
        { timeoutMs: 20 * 60_000, logFile: join(partial, 'build.log'), hint: 'installing the ingest packages failed; see the log' },
      );
    } finally {
      await unmountUnder(merged);
    }
    await rm(work, { recursive: true, force: true });
    await rm(merged, { recursive: true, force: true });
  });
  return { dir: join(entry, 'layer') };
}

export interface IngestFiles {
  root: string;
  pki: LabPki;
  /** Controller directories: recordings (written by the ingest), releases and content (served). */
  recordingsDir: string;
  releasesDir: string;
  contentDir: string;
}

/** Write the ingest's per-lab configuration; returns the binds its container needs. */
export async function configureIngest(files: IngestFiles): Promise<Bind[]> {
  const { root } = files;
  const www = await lookupId(root, 'www-data');
  for (const platform of ['dlive', 'kick']) {
    const dir = join(files.recordingsDir, platform);
    await mkdir(dir, { recursive: true });
    // nginx's worker (www-data inside the ingest) writes the recordings.
    await chown(dir, www.uid, www.gid);
  }
  await writeFile(join(root, 'etc/nginx/nginx.conf'), NGINX_CONF);
  await mkdir(join(root, WEB_ROOT.slice(1), 'releases'), { recursive: true });
  await mkdir(join(root, WEB_ROOT.slice(1), 'btfs'), { recursive: true });
  await writeFile(join(root, WEB_ROOT.slice(1), 'index.html'), INDEX_HTML);

  await copyFile(files.pki.serverCert, join(root, 'etc/stunnel/kick.crt'));
  await copyFile(files.pki.serverKey, join(root, 'etc/stunnel/kick.key'));
  await writeFile(join(root, 'etc/stunnel/kick.conf'), STUNNEL_CONF);
  const wants = join(root, 'etc/systemd/system/multi-user.target.wants');
  await mkdir(wants, { recursive: true });
  await symlink('/lib/systemd/system/stunnel@.service', join(wants, 'stunnel@kick.service')).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return [
    { source: files.recordingsDir, target: RECORDINGS },
    { source: files.releasesDir, target: `${WEB_ROOT}/releases`, readOnly: true },
    { source: files.contentDir, target: `${WEB_ROOT}/btfs`, readOnly: true },
  ];
}

async function lookupId(root: string, user: string): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith(`${user}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) throw new LabError(`the ingest has no ${user} user`, 'rebuild the ingest layer: remove ORBIS_LAB_CACHE/rootfs/ingest-*');
  return { uid: Number(uid), gid: Number(gid) };
}

const NGINX_CONF = `# orbis lab ingest: the stand-in DLive and Kick ingest, and the BTFS release/content server.
user www-data;
worker_processes 1;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
include /etc/nginx/modules-enabled/*.conf;

events {
    worker_connections 256;
}

rtmp {
    server {
        listen ${RTMP_PORT};
        chunk_size 4096;

        # DLive stand-in: rtmp://${INGEST_NAMES.dlive}/${DLIVE_APPLICATION}/<key>
        application ${DLIVE_APPLICATION} {
            live on;
            record all;
            record_path ${RECORDINGS}/dlive;
            record_unique on;
        }

        # Kick stand-in, reached through stunnel (TLS on ${KICK_TLS_PORT}):
        # rtmps://${INGEST_NAMES.kick}:${KICK_TLS_PORT}/${KICK_APPLICATION}/<key>
        application ${KICK_APPLICATION} {
            live on;
            record all;
            record_path ${RECORDINGS}/kick;
            record_unique on;
        }
    }
}

http {
    sendfile on;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /var/log/nginx/access.log;

    server {
        listen 80 default_server;
        server_name _;
        root ${WEB_ROOT};

        # BTFS stand-in release tarballs, SHA256SUMS and <file>.sha256.
        location /releases/ {
            autoindex on;
        }
        # Content by CID, fetched by the stand-in daemon (its bootstrap URL).
        location /btfs/ {
            default_type application/octet-stream;
        }
    }
}
`;

const STUNNEL_CONF = `; orbis lab ingest: the Kick ingest stand-in. TLS on ${KICK_TLS_PORT} with a certificate for
; ${INGEST_NAMES.kick} signed by the lab CA, relayed to nginx-rtmp.
foreground = yes
pid =
output = /var/log/stunnel4/kick.log

[kick]
accept = 0.0.0.0:${KICK_TLS_PORT}
connect = 127.0.0.1:${RTMP_PORT}
cert = /etc/stunnel/kick.crt
key = /etc/stunnel/kick.key
`;

const INDEX_HTML = `<!doctype html>
<title>orbis lab ingest</title>
<p>orbis lab stand-in internet: <a href="/releases/">BTFS releases</a>, content under /btfs/&lt;CID&gt;.</p>
`;
