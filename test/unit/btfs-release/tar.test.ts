// The minimal tar reader against archives GNU tar writes (go-btfs's package.sh runs `tar -cvf`),
// pax ones (bsdtar's default), long names, directories, and damaged or cut files.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { listTar, TarError } from '../../../src/btfs-release/tar.js';
import { configYaml, fakeBinary, makeTar, md5 } from './releases.js';

/** The archive delivered in small, unaligned chunks, as a pipe or a gunzip stream does. */
const chunked = (data: Buffer, size = 777): Readable => Readable.from((function* () {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
})());

const keepYaml = (name: string) => name.endsWith('.yaml');

describe('listTar', () => {
  const binary = fakeBinary('arm64', 'tar test');
  const yaml = configYaml('4.1.0', md5(binary));

  it("reads go-btfs's layout: each member's md5 and head, the yaml's text", async () => {
    const listing = await listTar(chunked(makeTar({ 'config_linux_arm64.yaml': yaml, 'btfs-linux-arm64': binary })), keepYaml);
    expect(listing.isTar).toBe(true);
    expect(listing.members.map((m) => [m.name, m.type, m.size])).toEqual([
      ['config_linux_arm64.yaml', 'file', yaml.length],
      ['btfs-linux-arm64', 'file', binary.length],
    ]);
    expect(listing.members[0]?.text).toBe(yaml);
    expect(listing.members[1]?.md5).toBe(md5(binary));
    expect(listing.members[1]?.head).toEqual(binary.subarray(0, 64));
    expect(listing.members[1]?.text).toBeUndefined();
  });

  it('follows GNU long names and pax paths; lists directories', async () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/btfs`;
    for (const format of ['--format=gnu', '--format=pax']) {
      const listing = await listTar(chunked(makeTar({ [long]: binary, 'short.yaml': yaml }, [format]), 4096), keepYaml);
      const files = listing.members.filter((m) => m.type === 'file');
      expect(files.map((m) => m.name), format).toEqual([long, 'short.yaml']);
      expect(files[0]?.md5).toBe(md5(binary));
      expect(files[1]?.text).toBe(yaml);
      expect(listing.members.filter((m) => m.type === 'directory').length).toBe(0);
    }
    // `--no-recursion btfs` before the names: the directory's own entry, then its file.
    const withDir = await listTar(chunked(makeTar({ 'btfs/btfs': binary }, ['--no-recursion', 'btfs'])), keepYaml);
    expect(withDir.members.map((m) => [m.name, m.type])).toEqual([['btfs/', 'directory'], ['btfs/btfs', 'file']]);
    expect(withDir.members[1]?.md5).toBe(md5(binary));
  });

  it('says "not a tar" for a file without a ustar header, and refuses a damaged or cut one', async () => {
    expect((await listTar(chunked(binary), keepYaml)).isTar).toBe(false);
    expect((await listTar(chunked(Buffer.alloc(100)), keepYaml)).isTar).toBe(false);

    const tar = makeTar({ 'btfs-linux-arm64': binary });
    const damaged = Buffer.from(tar);
    damaged[10] = damaged[10]! ^ 0xff;
    await expect(listTar(chunked(damaged), keepYaml)).rejects.toThrow(/header at byte 0 is damaged/);
    await expect(listTar(chunked(tar.subarray(0, 5000)), keepYaml)).rejects.toThrow(TarError);
    await expect(listTar(chunked(tar.subarray(0, 5000)), keepYaml)).rejects.toThrow(/cut short: the member btfs-linux-arm64/);
  });
});
