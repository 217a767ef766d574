// The readers of upstream Orbis's live files: nginx's syntax, the rtmp block with the keys in its
// push URLs, the stats site, stunnel.conf, btfs.service and the streamer's command line.
import { describe, expect, it } from 'vitest';
import { findPath, parseNginx } from '../../../src/import/nginx-reader.js';
import { chainIdIn, readBtfsUnit } from '../../../src/import/upstream-btfs.js';
import { findInclude, parseListen, readRtmpBlock, readStatsSite } from '../../../src/import/upstream-nginx.js';
import { parseStreamerArgs, streamerArgsOf } from '../../../src/import/upstream-streamer.js';
import { findKickTunnel, parseStunnelConf } from '../../../src/import/upstream-stunnel.js';
import { BTFS_UNIT, rtmpBlock, STATS_SITE, STUNNEL_KICK } from '../../fixtures/upstream/layout.js';
import { KEYS, NGINX_CONF } from './fixtures.js';

describe('nginx reader', () => {
  it('reads directives and blocks with their positions, skipping comments and keeping quoted words whole', () => {
    const parsed = parseNginx('# head\nuser www-data;\nhttp {\n  server { listen "127.0.0.1:80"; # x\n    location /a { return 404 \'not { here\'; }\n  }\n}\n');
    expect(parsed.problems).toEqual([]);
    expect(parsed.directives.map((d) => [d.name, d.line, d.col])).toEqual([['user', 2, 1], ['http', 3, 1]]);
    const [listen] = findPath(parsed.directives, ['http', 'server', 'listen']);
    expect(listen).toMatchObject({ args: ['127.0.0.1:80'], line: 4, col: 12 });
    expect(findPath(parsed.directives, ['http', 'server', 'location', 'return'])[0]?.args).toEqual(['404', 'not { here']);
  });

  it('reports unbalanced braces and unended directives by position, never by text', () => {
    const parsed = parseNginx('rtmp {\n  server {\n    push rtmp://h/live/SECRETKEY\n');
    expect(parsed.problems.length).toBeGreaterThan(0);
    expect(JSON.stringify(parsed.problems)).not.toContain('SECRETKEY');
    expect(parseNginx('}\nuser x;\n').problems).toEqual([{ line: 1, col: 1, message: "a '}' closes no block" }]);
  });
});

describe("upstream's rtmp block", () => {
  it('gives the port, the application, and each push with its platform, server, path and key (as a Secret)', () => {
    const block = readRtmpBlock(rtmpBlock(KEYS));
    expect(block?.listen).toEqual({ value: { port: 9935 }, line: 4, col: 9 });
    expect(block?.application).toEqual({ value: 'diffusion', line: 8, col: 9 });
    expect(block?.pushes.map((p) => ({ platform: p.platform, server: p.server, host: p.host, port: p.port, path: p.path, key: p.key.reveal(), line: p.line }))).toEqual([
      { platform: 'dlive', server: 'rtmp://stream.dlive.tv/live', host: 'stream.dlive.tv', port: 1935, path: '/live', key: KEYS.dlive, line: 14 },
      { platform: 'kick', server: 'rtmp://127.0.0.1:11935/app', host: '127.0.0.1', port: 11935, path: '/app', key: KEYS.kick, line: 15 },
    ]);
    expect(block?.playOpen).toBe(true);
    // The key never shows when the block is printed or serialised.
    expect(JSON.stringify(block)).not.toContain(KEYS.dlive);
    expect(String(block?.pushes[1]?.key)).not.toContain(KEYS.kick);
  });

  it('reads an empty key (upstream writes SERVER/ when the key was empty) as empty', () => {
    const block = readRtmpBlock('rtmp { server { listen 127.0.0.1:1935; application diffusion { push rtmp://stream.dlive.tv/live/; } } }');
    expect(block?.pushes[0]?.key.isEmpty).toBe(true);
    expect(block?.pushes[0]?.server).toBe('rtmp://stream.dlive.tv/live');
    expect(block?.playOpen).toBe(false);
  });

  it('finds the block written into nginx.conf itself (an older layout), and none in a file without one', () => {
    const inline = `${NGINX_CONF.split('# Orbis')[0]}rtmp {\n server {\n  listen 1935;\n  application live { push rtmp://stream.dlive.tv/live/${KEYS.dlive}; }\n }\n}\n`;
    expect(readRtmpBlock(inline)?.pushes).toHaveLength(1);
    expect(readRtmpBlock(NGINX_CONF)).toBeUndefined();
  });

  it('knows where nginx.conf includes it', () => {
    expect(findInclude(NGINX_CONF, '/etc/nginx/orbis-rtmp-block.conf')).toMatchObject({ line: 17, col: 1 });
    expect(findInclude(NGINX_CONF.replace(/include \/etc\/nginx\/orbis-rtmp-block\.conf;/, ''), '/etc/nginx/orbis-rtmp-block.conf')).toBeUndefined();
  });

  it('reads listen values as nginx does', () => {
    expect(parseListen('9935')).toEqual({ port: 9935 });
    expect(parseListen('127.0.0.1:8088')).toEqual({ address: '127.0.0.1', port: 8088 });
    expect(parseListen('*:8088')).toEqual({ port: 8088 });
    expect(parseListen('[::1]:1935')).toEqual({ address: '[::1]', port: 1935 });
    expect(parseListen('99999')).toBeUndefined();
    expect(parseListen('unix:/run/x.sock')).toBeUndefined();
  });
});

describe("upstream's stats site", () => {
  it('gives its port, that it listens on every interface, and that /controle is open', () => {
    expect(readStatsSite(STATS_SITE)).toEqual({ listen: { value: { port: 8088 }, line: 2, col: 5 }, control: true });
  });

  it('ignores a server without rtmp_stat', () => {
    expect(readStatsSite('server { listen 80; location / { root /var/www; } }')).toBeUndefined();
  });
});

describe("upstream's stunnel.conf", () => {
  it('finds the client tunnel nginx pushes into, where it connects, and that it does not check the host name', () => {
    const tunnel = findKickTunnel(parseStunnelConf(STUNNEL_KICK));
    expect(tunnel).toEqual({
      section: 'kick-rtmps',
      accept: { value: { address: '127.0.0.1', port: 11935 }, line: 12, col: 1 },
      connect: { value: { host: 'fa723fc1b171.global-contribute.live-video.net', port: 443 }, line: 13, col: 1 },
      checksHostName: false,
    });
  });

  it('reads a bare accept port as every interface, checkHost, and skips server sections', () => {
    const conf = parseStunnelConf('; c\n[server]\naccept = 443\nconnect = 80\n[k]\nclient = yes\naccept = 12935\nconnect = kick.example:443\ncheckHost = kick.example\n');
    expect(findKickTunnel(conf)).toMatchObject({ section: 'k', accept: { value: { address: '0.0.0.0', port: 12935 } }, checksHostName: true });
    expect(findKickTunnel(parseStunnelConf('[srv]\naccept = 443\nconnect = 127.0.0.1:80\n'))).toBeUndefined();
  });
});

describe("upstream's btfs.service", () => {
  it('gives the user, the chain id of ExecStart and where it is written', () => {
    const unit = readBtfsUnit(BTFS_UNIT);
    expect(unit.user).toEqual({ value: 'pi', line: 8, col: 1 });
    expect(unit.chainId).toEqual({ value: '199', line: 9, col: 38 });
    expect(unit.repo).toBeUndefined();
  });

  it('reads Environment=BTFS_PATH and ignores other sections', () => {
    const unit = readBtfsUnit('[Unit]\nUser=nobody\n[Service]\nEnvironment="BTFS_PATH=/srv/btfs" OTHER=1\nExecStart=/usr/local/bin/btfs daemon --chain-id=1029\n');
    expect(unit.user).toBeUndefined();
    expect(unit.repo?.value).toBe('/srv/btfs');
    expect(unit.chainId?.value).toBe('1029');
  });

  it('finds --chain-id in a command line', () => {
    expect(chainIdIn('btfs daemon --chain-id 199')).toBe('199');
    expect(chainIdIn('btfs daemon --chain-id=1029 --x')).toBe('1029');
    expect(chainIdIn('btfs daemon')).toBeUndefined();
  });
});

describe("upstream's streamer command line", () => {
  it('reads the options as getopts ":l:p:mbnfwh" does', () => {
    expect(parseStreamerArgs(['-l', 'ldl/ldl_cyberpunk.txt', '-m'])).toEqual({ playlist: 'ldl/ldl_cyberpunk.txt', shuffle: true });
    expect(parseStreamerArgs(['-mbf', '-pkick', '-lliste.txt'])).toEqual({ shuffle: true, loop: true, watermark: true, platform: 'kick', playlist: 'liste.txt' });
    expect(parseStreamerArgs(['-b', '-n'])).toEqual({ loop: false });
    expect(parseStreamerArgs(['-m', '--', '-f'])).toEqual({ shuffle: true });
    expect(parseStreamerArgs(['extra', '-m'])).toEqual({});
    expect(parseStreamerArgs(['-l'])).toEqual({});
  });

  it('finds the script in a process command line', () => {
    expect(streamerArgsOf(['bash', 'scripts/diffuser.sh', '-m'])).toEqual(['-m']);
    expect(streamerArgsOf(['/home/pi/OrbisAlternis/scripts/diffuser.sh'])).toEqual([]);
    expect(streamerArgsOf(['/usr/local/bin/btfs', 'daemon'])).toBeUndefined();
    expect(streamerArgsOf(['bash', 'scripts/mydiffuser.sh'])).toBeUndefined();
  });
});
