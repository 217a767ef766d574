// What the streamer's tests run against, here: orbis-service's files rendered by the real role
// for a small encode, and a stand-in for the Pi's BTFS gateway on loopback. The gateway serves
// what go-btfs's serves for a file (core/corehttp/gateway/handler_unixfs_file.go: serveFile ->
// Go's http.ServeContent): a whole body with Content-Length on GET and HEAD, one byte range with
// 206 and Content-Range; 404 for what it lacks (in the lab, the stand-in daemon answers 504 after
// failing to fetch it). Stopping it closes the port and cuts the connections, as a stopped daemon.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { loadSettings } from '../../../src/config/load.js';
import type { DesiredFile } from '../../../src/resources/types.js';
import { TemplateRenderer } from '../../../src/render/templates.js';
import { renderContext } from '../../../src/roles/context.js';
import { buildDesired } from '../../../src/roles/desired.js';
import { loadRoles, roleSourceAt } from '../../../src/roles/load.js';
import { splitRoleVariables } from '../../../src/roles/variables.js';
import { packageRoot } from '../../../src/util/paths.js';
import { hostFacts } from '../resources/fixtures.js';

const ROOT = packageRoot();

/** orbis-service's files (path -> content) for a small encode, as `orbis provision` would write them. */
export function rendered(vars: readonly string[] = []): Map<string, string> {
  const roles = loadRoles(['ffmpeg', 'nginx-rtmp', 'stunnel', 'btfs', 'orbis-service'], [roleSourceAt(ROOT)], '0.1.0');
  const loaded = loadSettings({
    env: { ORBIS_DLIVE_CLE_FLUX: 'dlive_STREAMER_key1' },
    vars: ['PLATEFORMES=dlive', 'ENCODEUR_VIDEO=libx264', 'LARGEUR_MAX=320', 'HAUTEUR_MAX=180', 'NIVEAU_JOURNAL=AVERT',
      'BTFS_SHA256_ARM64=862bd48e31d4ce4f6f1def3ee96ac805e4b35608e02c44c3621489ea89c985c4', ...vars],
  });
  const { roleValues } = splitRoleVariables(roles, [], {});
  const context = renderContext(loaded, { values: roleValues }, hostFacts({ arch: 'arm64' }), '0.1.0');
  const files = new Map<string, string>();
  for (const r of buildDesired(roles, context, new TemplateRenderer()).resources) if (r.kind === 'file') files.set(r.path, (r as DesiredFile).content);
  return files;
}

/** The stand-in gateway: the files of `dir` by name. */
export class Gateway {
  private server?: Server;
  private sockets = new Set<Socket>();
  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      let body: Buffer;
      try {
        body = readFileSync(join(this.dir, (req.url ?? '/').slice(1)));
      } catch {
        res.writeHead(404).end('404 page not found\n');
        return;
      }
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (!range) {
        res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': 'bytes' }).end(body);
        return;
      }
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      res.writeHead(206, { 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${body.length}` }).end(body.subarray(start, end + 1));
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  /** The daemon stopped: its port closed and its connections cut. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * The streamer's script and its two settings files written into `dir` as the role writes them on
 * a Pi, the playlist and the relay replaced by local paths; returns the environment that points
 * the script at them (ORBIS_CONF, ORBIS_LECTURE).
 */
export function writeStreamer(dir: string, files: Map<string, string>, local: { liste: string; destination: string }): Record<string, string> {
  writeFileSync(join(dir, 'orbis-diffuser'), files.get('/usr/local/bin/orbis-diffuser') ?? '', { mode: 0o755 });
  writeFileSync(join(dir, 'orbis.conf'), `${files.get('/etc/orbis/orbis.conf') ?? ''}\nLISTE=${local.liste}\nDESTINATION=${local.destination}\n`);
  writeFileSync(join(dir, 'lecture.conf'), files.get('/etc/orbis/lecture.conf') ?? '');
  return { ORBIS_CONF: join(dir, 'orbis.conf'), ORBIS_LECTURE: join(dir, 'lecture.conf') };
}
