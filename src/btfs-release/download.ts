// A release file downloaded on the controller, to pin it: streamed to a private temporary file
// (a go-btfs binary is ~100 MB: never whole in memory), hashed as it arrives. Node's fetch follows
// redirects as GitHub's release links need (github.com -> objects.githubusercontent.com). The
// timeout is an idle one: a slow but moving download is not cut, a stalled one is.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Downloaded {
  /** The temporary file; gone after `dispose()`. */
  path: string;
  size: number;
  sha256: string;
  md5: string;
  /** Where the content came from after redirects (the URL asked for when there were none). */
  finalUrl: string;
  dispose(): Promise<void>;
}

export interface DownloadOptions {
  /** Seconds without a byte (or without an answer) before giving up. */
  idleTimeoutMs: number;
  /** Said after every failure: what the user can do (e.g. a mirror via --url). */
  hint: string;
}

/** A download that did not happen: which URL, what went wrong (HTTP status or network error), what to do. */
export class DownloadError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly hint: string,
    readonly status?: number,
  ) {
    super(`${url}: ${reason} (hint: ${hint})`);
    this.name = 'DownloadError';
  }
}

const REDIRECT_NOTE = (url: string, finalUrl: string): string => (finalUrl !== url ? `, redirected to ${new URL(finalUrl).origin}` : '');

/** The network error under fetch's "fetch failed": ENOTFOUND, ECONNREFUSED, a TLS failure, ... */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code && cause.message) return cause.message.includes(cause.code) ? cause.message : `${cause.code}: ${cause.message}`;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

export async function downloadToTemp(url: string, options: DownloadOptions): Promise<Downloaded> {
  const dir = await mkdtemp(join(tmpdir(), 'orbis-btfs-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'release');
  const abort = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, options.idleTimeoutMs);
  };
  const seconds = `${Math.round(options.idleTimeoutMs / 100) / 10} s`;
  arm();
  try {
    let response: Response;
    try {
      // identity: the bytes hashed here are the bytes the Pi downloads (curl asks for no encoding).
      response = await fetch(url, { redirect: 'follow', signal: abort.signal, headers: { 'accept-encoding': 'identity' } });
    } catch (error) {
      throw new DownloadError(url, timedOut ? `no answer within ${seconds}` : `the download failed: ${networkReason(error)}`, options.hint);
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      throw new DownloadError(url, `${status}${REDIRECT_NOTE(url, response.url)}`, options.hint, response.status);
    }
    const encoding = response.headers.get('content-encoding');
    if (encoding && encoding !== 'identity') {
      await response.body.cancel().catch(() => undefined);
      throw new DownloadError(url, `the server sent it compressed (Content-Encoding: ${encoding}) though asked not to: its hash would not be the file's`, 'serve the file as it is (no on-the-fly compression), or use another mirror');
    }
    const sha256 = createHash('sha256');
    const md5 = createHash('md5');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        arm();
        sha256.update(chunk);
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), tap, createWriteStream(path, { mode: 0o600 }));
    } catch (error) {
      const reason = timedOut ? `stalled: no data for ${seconds} after ${size} bytes` : `the download broke off after ${size} bytes: ${networkReason(error)}`;
      throw new DownloadError(url, reason, options.hint);
    }
    const expected = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(expected) && expected !== size) {
      throw new DownloadError(url, `got ${size} bytes of the ${expected} announced`, options.hint);
    }
    return { path, size, sha256: sha256.digest('hex'), md5: md5.digest('hex'), finalUrl: response.url || url, dispose };
  } catch (error) {
    await dispose();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
