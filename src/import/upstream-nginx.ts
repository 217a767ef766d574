// What upstream Orbis's nginx files say. Its `diffuser.sh` regenerates, at every start, from
// conf/orbis.conf:
//   /etc/nginx/orbis-rtmp-block.conf       rtmp { server { listen PORT; application APP {
//                                            push DLIVE_SERVEUR/DLIVE_CLE_FLUX;
//                                            push rtmp://127.0.0.1:STUNNEL_PORT_LOCAL/app/KICK_CLE_FLUX; } } }
//   /etc/nginx/sites-enabled/orbis-stats.conf   server { listen 8088; /stat; /controle }
// and appends `include /etc/nginx/orbis-rtmp-block.conf;` to /etc/nginx/nginx.conf. Older
// layouts wrote the rtmp block into nginx.conf itself, which is read the same way.
//
// Stream keys travel inside the push URLs: they are returned as Secrets, never put into text.
import { Secret } from '../redact/secret.js';
import { findPath, parseNginx, type NginxDirective } from './nginx-reader.js';
import type { Found } from './types.js';

export interface RtmpPush {
  /** DLive is pushed to directly; Kick through the local stunnel (a loopback push). */
  platform: 'dlive' | 'kick';
  /** rtmp://host[:port]/app, the URL without its last segment (the key). */
  server: string;
  host: string;
  port: number;
  /** The application path on the server, with its leading '/': '/live', '/app'. */
  path: string;
  key: Secret;
  line: number;
  col: number;
}

export interface RtmpBlock {
  listen?: Found<{ address?: string; port: number }>;
  application?: Found<string>;
  pushes: RtmpPush[];
  /** `allow play all` / a listen on every interface: what orbis deliberately does not carry. */
  playOpen: boolean;
  problems: NginxParse['problems'];
}

type NginxParse = ReturnType<typeof parseNginx>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** `9935`, `127.0.0.1:9935`, `[::1]:9935`, `*:9935` -> address and port. */
export function parseListen(text: string): { address?: string; port: number } | undefined {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  const address = m[1] === undefined || m[1] === '*' ? undefined : m[1];
  return address === undefined ? { port } : { address, port };
}

/** An rtmp:// URL whose last segment is the stream key; undefined when it is not one. */
function parsePush(directive: NginxDirective): RtmpPush | undefined {
  const url = directive.args[0];
  if (url === undefined) return undefined;
  const m = /^rtmps?:\/\/(\[[^\]]+\]|[^/:]+)(?::(\d{1,5}))?(\/.*)?$/.exec(url);
  if (!m) return undefined;
  const host = m[1] ?? '';
  const port = m[2] === undefined ? 1935 : Number(m[2]);
  const segments = (m[3] ?? '/').split('/').slice(1);
  // The key is what follows the last '/': upstream writes SERVER/KEY, an empty key leaves 'SERVER/'.
  const key = segments.length > 1 ? (segments.pop() ?? '') : '';
  const path = `/${segments.join('/')}`;
  const platform = LOOPBACK.has(host) ? 'kick' : 'dlive';
  const server = `rtmp://${host}${m[2] === undefined ? '' : `:${port}`}${path === '/' ? '' : path}`;
  return { platform, server, host, port, path, key: new Secret(key, `${platform} push`), line: directive.line, col: directive.col };
}

/** The first rtmp { server { ... } } of a file (upstream's block, or nginx.conf of an older layout). */
export function readRtmpBlock(text: string): RtmpBlock | undefined {
  const parsed = parseNginx(text);
  const server = findPath(parsed.directives, ['rtmp', 'server'])[0];
  if (server === undefined) return undefined;
  const children = server.children ?? [];
  const block: RtmpBlock = { pushes: [], playOpen: false, problems: parsed.problems };
  const listen = children.find((d) => d.name === 'listen');
  const listenValue = listen?.args[0] === undefined ? undefined : parseListen(listen.args[0]);
  if (listen && listenValue) block.listen = { value: listenValue, line: listen.line, col: listen.col };
  const application = children.find((d) => d.name === 'application');
  if (application?.args[0] !== undefined) {
    block.application = { value: application.args[0], line: application.line, col: application.col };
    for (const d of application.children ?? []) {
      if (d.name === 'push') {
        const push = parsePush(d);
        if (push) block.pushes.push(push);
      }
      if (d.name === 'allow' && d.args[0] === 'play' && d.args[1] === 'all') block.playOpen = true;
    }
  }
  if (listenValue && (listenValue.address === undefined || !LOOPBACK.has(listenValue.address))) block.playOpen = true;
  return block;
}

export interface StatsSite {
  listen: Found<{ address?: string; port: number }>;
  /** `rtmp_control` (drop, redirect, record) reachable through this server. */
  control: boolean;
}

/** Upstream's stats server: the first http-level `server` with an rtmp_stat location. */
export function readStatsSite(text: string): StatsSite | undefined {
  const parsed = parseNginx(text);
  const servers = [...findPath(parsed.directives, ['server']), ...findPath(parsed.directives, ['http', 'server'])];
  for (const server of servers) {
    const locations = (server.children ?? []).filter((d) => d.name === 'location');
    const has = (name: string): boolean => locations.some((l) => (l.children ?? []).some((d) => d.name === name));
    if (!has('rtmp_stat')) continue;
    const listen = (server.children ?? []).find((d) => d.name === 'listen');
    const value = listen?.args[0] === undefined ? undefined : parseListen(listen.args[0]);
    if (!listen || !value) continue;
    return { listen: { value, line: listen.line, col: listen.col }, control: has('rtmp_control') };
  }
  return undefined;
}

/** Where nginx.conf includes `path` (line of the include), if it does. */
export function findInclude(nginxConf: string, path: string): Found<string> | undefined {
  const walk = (directives: readonly NginxDirective[]): NginxDirective | undefined => {
    for (const d of directives) {
      if (d.name === 'include' && d.args[0] === path) return d;
      const inner = walk(d.children ?? []);
      if (inner) return inner;
    }
    return undefined;
  };
  const found = walk(parseNginx(nginxConf).directives);
  return found ? { value: path, line: found.line, col: found.col } : undefined;
}
