// Releases of the BTFS stand-in, laid out as go-btfs publishes its own. go-btfs's package.sh
// builds, per OS and arch, a raw binary `btfs-linux-ARCH`, a YAML `config_linux_ARCH.yaml`
// (version, md5 of the binary, auto-update settings) and a plain, uncompressed tar
// `btfs-linux-ARCH.tar` (`tar -cvf` of the YAML, then the binary); create_githubrelease.sh
// uploads every file of that directory as a GitHub release asset, under the release's tag, which
// go-btfs names `btfs-v<version>` (its git tags: btfs-v4.0.0, ...), so a download URL is
// https://github.com/bittorrent/go-btfs/releases/download/btfs-v<version>/btfs-linux-<arch>.tar
//
// The ingest serves the same under /releases/download/btfs-v<version>/, so a mirror URL is the
// GitHub URL with its host part (up to `releases/`) replaced. Beside go-btfs's own files:
//   - `btfs-linux-ARCH.tar.gz`, the same members gzipped: go-btfs does not publish it (it did for
//     older releases), it is here so orbis's three formats can be tested;
//   - `<file>.sha256` and `SHA256SUMS`: go-btfs publishes no checksum beside its downloads (the
//     md5 in config_linux_ARCH.yaml travels inside the same tar); these are the lab's, for tests.
// Built with the controller's compilers (x86_64-linux-gnu-gcc, aarch64-linux-gnu-gcc) for the
// architectures a lab has, only those (another architecture than the controller's takes a
// cross-compiler: requirements.ts), and cached per set of architectures; reproducible: the same
// inputs give the same bytes, so an amd64 release is the same in every set.
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostArch, labAssetsDir } from '../base.js';
import { cachePath, ensureCached, recipeHash } from '../cache.js';
import type { LabArch } from '../config.js';
import { LAB_ARCHES } from '../config.js';
import { run } from '../exec.js';
import { compilerPackages } from '../requirements.js';

/** go-btfs's version.go CurrentVersionNumber at the stand-in's source (master 299483c). */
export const BTFS_STANDIN_VERSION = '4.1.0';
/** go-btfs's release tags: `btfs-v<version>` (its git tags, e.g. btfs-v4.0.0). */
export const BTFS_RELEASE_TAG_PREFIX = 'btfs-v';
export const BTFS_RELEASE_TAG = `${BTFS_RELEASE_TAG_PREFIX}${BTFS_STANDIN_VERSION}`;

/** The release layouts: go-btfs's raw binary and plain tar, and the lab's gzipped tar. */
export type BtfsLayout = 'raw' | 'tar' | 'tgz';
export const BTFS_LAYOUTS: readonly BtfsLayout[] = ['raw', 'tar', 'tgz'];
/** The layout orbis installs by default (go-btfs's plain tar). */
export const BTFS_DEFAULT_LAYOUT: BtfsLayout = 'tar';

export interface BtfsReleaseFile {
  arch: LabArch;
  layout: BtfsLayout;
  file: string;
  path: string;
  sha256: string;
  bytes: number;
}

export interface BtfsReleases {
  /** Directory served as the ingest's /releases/. */
  dir: string;
  /** Path of the release files under `dir` (`download/btfs-v<version>`). */
  downloadPath: string;
  /** Those of the architectures asked for (no other). */
  files: Partial<Record<LabArch, Record<BtfsLayout, BtfsReleaseFile>>>;
  /** md5 of each arch's binary, as config_linux_ARCH.yaml states it. */
  md5: Partial<Record<LabArch, string>>;
}

/** The compiler by its triplet name: the native gcc or a cross one names itself so (requirements.ts). */
const COMPILERS: Record<LabArch, string> = { amd64: 'x86_64-linux-gnu-gcc', arm64: 'aarch64-linux-gnu-gcc' };

/** The binary's name in go-btfs's releases (package.sh: btfs-${goos}-${goarch}). */
export function binaryName(arch: LabArch): string {
  return `btfs-linux-${arch}`;
}

/** package.sh: config_${goos}_${goarch}.yaml */
export function yamlName(arch: LabArch): string {
  return `config_linux_${arch}.yaml`;
}

export function releaseFileName(arch: LabArch, layout: BtfsLayout = BTFS_DEFAULT_LAYOUT): string {
  const base = binaryName(arch);
  return layout === 'raw' ? base : layout === 'tar' ? `${base}.tar` : `${base}.tar.gz`;
}

/** The path under /releases/ of a version's files, as GitHub's `releases/download/<tag>/`. */
export function downloadPath(version: string = BTFS_STANDIN_VERSION): string {
  return `download/${BTFS_RELEASE_TAG_PREFIX}${version}`;
}

/**
 * config_linux_ARCH.yaml as package.sh writes it:
 *   echo -e "version: ${version: 1: ${#version}-2}\nmd5: ${md5}\nautoupdateFlg: true\n
 *            sleepTimeSeconds: 86400\nbeginNumber: 0\nendNumber: 100" > config_....yaml
 * where version is version.go's quoted literal without its quotes and md5 is `openssl md5` of
 * the binary.
 */
export function releaseYaml(version: string, md5: string): string {
  return `version: ${version}\nmd5: ${md5}\nautoupdateFlg: true\nsleepTimeSeconds: 86400\nbeginNumber: 0\nendNumber: 100\n`;
}

/** The releases of `arches` (in LAB_ARCHES order, whatever the order asked). */
export async function ensureBtfsReleases(arches: readonly LabArch[], log?: (message: string) => void): Promise<BtfsReleases> {
  const built = LAB_ARCHES.filter((arch) => arches.includes(arch));
  const assets = join(labAssetsDir(), 'btfs');
  const program = await readFile(join(assets, 'btfs.py'));
  const launcher = await readFile(join(assets, 'launcher.c'));
  const sub = downloadPath();
  const dir = cachePath('btfs', `releases-${built.join('-')}-${recipeHash(BTFS_STANDIN_VERSION, sub, program, launcher, 'layouts-v2')}`);
  await ensureCached(dir, { what: `the BTFS stand-in releases (${built.join(', ')})`, log }, async (partial) => {
    const work = join(partial, '.build');
    const out = join(partial, sub);
    await mkdir(work, { recursive: true });
    await mkdir(out, { recursive: true });
    await writeFile(join(work, 'program.h'), cArray('btfs_program', program));
    await writeFile(join(work, 'launcher.c'), launcher);
    const sums: string[] = [];
    for (const arch of built) {
      const archDir = join(work, arch);
      await mkdir(archDir, { recursive: true });
      const cc = COMPILERS[arch];
      const binary = binaryName(arch);
      const yaml = yamlName(arch);
      await run(
        cc,
        ['-static', '-Os', '-s', `-DBTFS_ARCH="${arch}"`, '-I', work, '-o', join(archDir, binary), join(work, 'launcher.c')],
        { hint: `cannot build the ${arch} btfs stand-in: apt-get install ${compilerPackages(arch, hostArch()).join(' ')}` },
      );
      await chmod(join(archDir, binary), 0o755);
      const md5 = createHash('md5').update(await readFile(join(archDir, binary))).digest('hex');
      await writeFile(join(archDir, yaml), releaseYaml(BTFS_STANDIN_VERSION, md5));
      await chmod(join(archDir, yaml), 0o644);
      // package.sh: tar -cvf btfs-linux-ARCH.tar config_linux_ARCH.yaml btfs-linux-ARCH (that
      // order, no directory). Reproducible: fixed mtime and owner.
      const tar = join(out, releaseFileName(arch, 'tar'));
      await run('tar', [
        '--format=gnu', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner',
        '-C', archDir, '-cf', tar, yaml, binary,
      ]);
      await run('sh', ['-c', 'gzip -n -9 -c "$1" > "$2"', 'sh', tar, join(out, releaseFileName(arch, 'tgz'))]);
      await run('cp', ['-p', join(archDir, binary), join(out, releaseFileName(arch, 'raw'))]);
      await run('cp', ['-p', join(archDir, yaml), join(out, yaml)]);
      for (const layout of BTFS_LAYOUTS) {
        const file = releaseFileName(arch, layout);
        const sha256 = createHash('sha256').update(await readFile(join(out, file))).digest('hex');
        await writeFile(join(out, `${file}.sha256`), `${sha256}  ${file}\n`);
        sums.push(`${sha256}  ${file}`);
      }
    }
    await writeFile(join(out, 'SHA256SUMS'), `${sums.join('\n')}\n`);
    await run('rm', ['-rf', work]);
  });
  const files: BtfsReleases['files'] = {};
  const md5: BtfsReleases['md5'] = {};
  for (const arch of built) {
    const layouts = {} as Record<BtfsLayout, BtfsReleaseFile>;
    for (const layout of BTFS_LAYOUTS) {
      const file = releaseFileName(arch, layout);
      const path = join(dir, sub, file);
      const sha256 = (await readFile(`${path}.sha256`, 'utf8')).split(/\s+/)[0] ?? '';
      layouts[layout] = { arch, layout, file, path, sha256, bytes: (await stat(path)).size };
    }
    files[arch] = layouts;
    const yaml = await readFile(join(dir, sub, yamlName(arch)), 'utf8');
    md5[arch] = /^md5: ([0-9a-f]{32})$/m.exec(yaml)?.[1] ?? '';
  }
  return { dir, downloadPath: sub, files, md5 };
}

/** A C array initialiser for arbitrary bytes, NUL-terminated so it doubles as a C string. */
function cArray(name: string, bytes: Buffer): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    lines.push(`  ${[...bytes.subarray(i, i + 16)].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},`);
  }
  return `static const unsigned char ${name}[] = {\n${lines.join('\n')}\n  0x00\n};\n`;
}
