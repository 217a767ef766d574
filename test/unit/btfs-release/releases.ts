// go-btfs release files as its package.sh lays them out, built for the tests, and a loopback HTTP
// server that serves them (with redirects and failures) as GitHub or a mirror would.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');
export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

const MACHINES = { arm64: 183, amd64: 62 } as const;

/** An ELF header for `arch` and some bytes after it (big enough to arrive in several chunks). */
export function fakeBinary(arch: keyof typeof MACHINES, seed: string, size = 200_000): Buffer {
  const head = Buffer.alloc(64);
  head.write('\x7fELF', 0, 'latin1');
  head[4] = 2; // 64-bit
  head[5] = 1; // little-endian
  head[6] = 1;
  head.writeUInt16LE(2, 16); // ET_EXEC
  head.writeUInt16LE(MACHINES[arch], 18);
  const body = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let at = 0; at < size; at += block.length) {
    block.copy(body, at);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat([head, body]);
}

/** config_linux_ARCH.yaml exactly as package.sh's echo writes it. */
export function configYaml(version: string, binaryMd5: string): string {
  return `version: ${version}\nmd5: ${binaryMd5}\nautoupdateFlg: true\nsleepTimeSeconds: 86400\nbeginNumber: 0\nendNumber: 100\n`;
}

/**
 * `tar -cvf btfs-linux-ARCH.tar config_linux_ARCH.yaml btfs-linux-ARCH`, as package.sh runs it
 * (GNU tar); `files` are written to a scratch directory first. Extra tar options (e.g.
 * --format=pax) come before the names.
 */
export function makeTar(files: Record<string, Buffer | string>, options: string[] = []): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'orbis-btfs-tar-'));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  execFileSync('tar', ['-cf', 'out.tar', ...options, ...Object.keys(files)], { cwd: dir });
  return readFileSync(join(dir, 'out.tar'));
}

export interface Release {
  binary: Buffer;
  /** The plain tar, as on go-btfs's release page. */
  tar: Buffer;
  tarGz: Buffer;
}

export function release(arch: keyof typeof MACHINES, version = '4.1.0', seed = `btfs ${arch} ${version}`): Release {
  const binary = fakeBinary(arch, seed);
  const tar = makeTar({ [`config_linux_${arch}.yaml`]: configYaml(version, md5(binary)), [`btfs-linux-${arch}`]: binary });
  return { binary, tar, tarGz: gzipSync(tar) };
}

export type Route = { body: Buffer; contentLength?: number } | { redirect: string } | { status: number } | { stall: true };

export interface ReleaseServer {
  url: string;
  routes: Map<string, Route>;
  /** Paths asked for, in order. */
  asked: string[];
  close(): Promise<void>;
}

export async function serveReleases(): Promise<ReleaseServer> {
  const routes = new Map<string, Route>();
  const asked: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    asked.push(path);
    const route = routes.get(path);
    if (!route) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    } else if ('redirect' in route) {
      response.writeHead(302, { location: route.redirect }).end();
    } else if ('status' in route) {
      response.writeHead(route.status).end();
    } else if ('stall' in route) {
      response.writeHead(200, { 'content-length': '1000' });
      response.write(Buffer.alloc(10));
    } else {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(route.contentLength ?? route.body.length) });
      // In pieces, as a network delivers it.
      const body = route.body.subarray(0, Math.min(route.body.length, route.contentLength ?? route.body.length));
      for (let at = 0; at < body.length; at += 65_536) response.write(body.subarray(at, at + 65_536));
      if ((route.contentLength ?? body.length) > body.length) response.destroy();
      else response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    asked,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
