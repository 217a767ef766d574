// Reading a file a user named (a conf, a playlist, an inventory), in bounded time and memory.
// readFileSync reads until EOF: /dev/zero never ends, a FIFO with no writer blocks forever,
// a huge file fills memory. None of these is a configuration; each gets an error that says so.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Configuration files are small: the largest real one (a fleet's inventory) is some kilobytes. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** A file that is not one to read: `message` says what it is, for an error naming the file. */
export class UnreadableFileError extends Error {
  constructor(readonly path: string, message: string, readonly hint: string) {
    super(message);
    this.name = 'UnreadableFileError';
  }
}

/**
 * The text of `path`, at most `maxBytes` bytes of it. Refuses a directory, a FIFO or a socket
 * (opened without blocking, so a FIFO with no writer does not hang), and anything longer.
 * Character devices are read like files: /dev/null is an empty file, /dev/zero too long.
 * Other errors (ENOENT, EACCES) are thrown as fs throws them.
 */
export function readBoundedText(path: string, maxBytes = MAX_CONFIG_FILE_BYTES): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new UnreadableFileError(path, 'is a directory, not a file', 'name the file inside it');
    if (stat.isFIFO() || stat.isSocket()) {
      throw new UnreadableFileError(path, `is a ${stat.isFIFO() ? 'named pipe (FIFO)' : 'socket'}, not a file`, 'name a regular file');
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) {
        throw new UnreadableFileError(path, `is larger than ${maxBytes} bytes: not a configuration file`, 'name the right file (configuration files are a few kilobytes)');
      }
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
