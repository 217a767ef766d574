// Release tarballs of the BTFS stand-in, one per architecture, as a Pi downloads go-btfs:
// `btfs-linux-<arch>.tar.gz` holding an executable `btfs`, each with its own sha256
// (`<file>.sha256` and a SHA256SUMS list). Built once with the controller's compilers
// (gcc, aarch64-linux-gnu-gcc) and cached.
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { labAssetsDir } from '../base.js';
import { cachePath, ensureCached, recipeHash } from '../cache.js';
import type { LabArch } from '../config.js';
import { LAB_ARCHES } from '../config.js';
import { run } from '../exec.js';

export const BTFS_STANDIN_VERSION = '4.1.0-299483c';

export interface BtfsReleaseFile {
  arch: LabArch;
  file: string;
  path: string;
  sha256: string;
  bytes: number;
}

export interface BtfsReleases {
  /** Directory served as the ingest's /releases/. */
  dir: string;
  files: Record<LabArch, BtfsReleaseFile>;
}

const COMPILERS: Record<LabArch, { cc: string; hint: string }> = {
  amd64: { cc: 'x86_64-linux-gnu-gcc', hint: 'apt-get install gcc libc6-dev' },
  arm64: { cc: 'aarch64-linux-gnu-gcc', hint: 'apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross' },
};

export function releaseFileName(arch: LabArch): string {
  return `btfs-linux-${arch}.tar.gz`;
}

export async function ensureBtfsReleases(log?: (message: string) => void): Promise<BtfsReleases> {
  const assets = join(labAssetsDir(), 'btfs');
  const program = await readFile(join(assets, 'btfs.py'));
  const launcher = await readFile(join(assets, 'launcher.c'));
  const dir = cachePath('btfs', `releases-${recipeHash(BTFS_STANDIN_VERSION, program, launcher)}`);
  await ensureCached(dir, { what: 'the BTFS stand-in release tarballs', log }, async (partial) => {
    const work = join(partial, '.build');
    await mkdir(work, { recursive: true });
    await writeFile(join(work, 'program.h'), cArray('btfs_program', program));
    await writeFile(join(work, 'launcher.c'), launcher);
    const sums: string[] = [];
    for (const arch of LAB_ARCHES) {
      const archDir = join(work, arch);
      await mkdir(archDir, { recursive: true });
      const { cc, hint } = COMPILERS[arch];
      await run(
        cc,
        ['-static', '-Os', '-s', `-DBTFS_ARCH="${arch}"`, '-I', work, '-o', join(archDir, 'btfs'), join(work, 'launcher.c')],
        { hint: `cannot build the ${arch} btfs stand-in: ${hint}` },
      );
      const file = releaseFileName(arch);
      // Reproducible archive: same inputs, same bytes, same sha256.
      await run('tar', [
        '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--mode=0755',
        '-C', archDir, '-cf', join(work, `${arch}.tar`), 'btfs',
      ]);
      await run('sh', ['-c', 'gzip -n -9 -c "$1" > "$2"', 'sh', join(work, `${arch}.tar`), join(partial, file)]);
      const sha256 = createHash('sha256').update(await readFile(join(partial, file))).digest('hex');
      await writeFile(join(partial, `${file}.sha256`), `${sha256}  ${file}\n`);
      sums.push(`${sha256}  ${file}`);
    }
    await writeFile(join(partial, 'SHA256SUMS'), `${sums.join('\n')}\n`);
    await run('rm', ['-rf', work]);
  });
  const files = {} as Record<LabArch, BtfsReleaseFile>;
  for (const arch of LAB_ARCHES) {
    const file = releaseFileName(arch);
    const path = join(dir, file);
    const sha256 = (await readFile(`${path}.sha256`, 'utf8')).split(/\s+/)[0] ?? '';
    files[arch] = { arch, file, path, sha256, bytes: (await stat(path)).size };
  }
  return { dir, files };
}

/** A C array initialiser for arbitrary bytes, NUL-terminated so it doubles as a C string. */
function cArray(name: string, bytes: Buffer): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    lines.push(`  ${[...bytes.subarray(i, i + 16)].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},`);
  }
  return `static const unsigned char ${name}[] = {\n${lines.join('\n')}\n  0x00\n};\n`;
}
