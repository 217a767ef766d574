// The base root filesystem every lab host is an overlay on: Debian bookworm minbase plus what
// Raspberry Pi OS Lite ships and orbis relies on (systemd, sshd, sudo, curl, python3, openssl),
// built once per architecture with debootstrap and cached outside the checkout.
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { cachePath, ensureCached, recipeHash } from './cache.js';
import type { LabArch } from './config.js';
import { LAB_SUITE } from './config.js';
import { LabError, run, runAllowFailure } from './exec.js';
import type { Mirror } from './mirror.js';
import { unmountUnder } from './mounts.js';
import { runInRoot } from './nspawn.js';

/** Installed on top of minbase. Roles install the rest (nginx, FFmpeg, stunnel, ...). */
export const BASE_PACKAGES = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'libpam-systemd',
  'openssh-server',
  'sudo',
  'iproute2',
  'ca-certificates',
  // Raspberry Pi OS Lite has these; minbase does not.
  'curl',
  'python3',
  'openssl',
  'procps',
] as const;

export interface BaseImage {
  arch: LabArch;
  /** The root filesystem (an overlay lower layer; never written to once built). */
  rootfs: string;
  entry: string;
}

export function labAssetsDir(): string {
  return join(packageRoot(), 'src', 'lab', 'assets');
}

/** The cached base for `arch`, built now if missing (cold: ~1 min amd64, several under qemu). */
export async function ensureBase(arch: LabArch, mirror: Mirror, log?: (message: string) => void): Promise<BaseImage> {
  const setupScript = await readFile(join(labAssetsDir(), 'base-setup.sh'), 'utf8');
  const sources = aptSources(mirror);
  const hash = recipeHash(LAB_SUITE, arch, BASE_PACKAGES.join(','), mirror.archive, sources, setupScript, APT_CONF);
  const entry = cachePath('rootfs', `base-${LAB_SUITE}-${arch}-${hash}`);
  // Every time, not only when the base is built: binfmt registrations do not survive a reboot,
  // and binfmt-support registers qemu again without the credentials flag.
  if (arch !== hostArch()) await ensureBinfmt(arch, log);
  await ensureCached(entry, { what: `the ${arch} base root filesystem`, log }, async (partial) => {
    const rootfs = join(partial, 'rootfs');
    const buildLog = join(partial, 'build.log');
    try {
      await run(
        'debootstrap',
        [
          '--variant=minbase',
          `--arch=${arch}`,
          `--include=${BASE_PACKAGES.join(',')}`,
          '--components=main',
          LAB_SUITE,
          rootfs,
          mirror.archive,
        ],
        {
          timeoutMs: 45 * 60_000,
          hint: `debootstrap from ${mirror.archive} failed; check the mirror (apt-get update) and that debootstrap is installed${
            arch !== hostArch() ? ' (and qemu-user-static + binfmt-support for a foreign architecture)' : ''
          }`,
          logFile: buildLog,
        },
      );
    } finally {
      // debootstrap mounts /proc and /sys inside the target and may leave them on failure.
      await unmountUnder(rootfs);
    }
    await writeFile(join(rootfs, 'etc/apt/sources.list'), '# See /etc/apt/sources.list.d/debian.sources\n');
    await writeFile(join(rootfs, 'etc/apt/sources.list.d/debian.sources'), sources);
    await writeFile(join(rootfs, 'etc/apt/apt.conf.d/90orbis-lab'), APT_CONF);
    await mkdir(join(rootfs, 'root'), { recursive: true });
    await writeFile(join(rootfs, 'root/orbis-base-setup.sh'), setupScript, { mode: 0o755 });
    await runInRoot(rootfs, ['/bin/bash', '/root/orbis-base-setup.sh'], {
      timeoutMs: 30 * 60_000,
      logFile: buildLog,
    });
    await run('rm', ['-f', join(rootfs, 'root/orbis-base-setup.sh')]);
  });
  return { arch, rootfs: join(entry, 'rootfs'), entry };
}

// Kept downloads let the lab share them between hosts (see apt-cache.ts); no pty keeps
// apt's output plain for logs.
const APT_CONF = `// orbis lab: keep downloaded packages (the lab shares them between hosts) and plain output.
Binary::apt::APT::Keep-Downloaded-Packages "true";
Dpkg::Use-Pty "0";
`;

/** apt sources for lab hosts: this machine's mirror, with updates and security like a Pi. */
function aptSources(mirror: Mirror): string {
  const keyring = 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg';
  let text = `Types: deb\nURIs: ${mirror.archive}\nSuites: ${LAB_SUITE} ${LAB_SUITE}-updates\nComponents: main\n${keyring}\n`;
  if (mirror.security) {
    text += `\nTypes: deb\nURIs: ${mirror.security}\nSuites: ${LAB_SUITE}-security\nComponents: main\n${keyring}\n`;
  }
  return text;
}

export function hostArch(): LabArch {
  return process.arch === 'arm64' ? 'arm64' : 'amd64';
}

const QEMU_NAMES: Record<LabArch, string> = { amd64: 'qemu-x86_64', arm64: 'qemu-aarch64' };

/**
 * Make foreign binaries run through qemu-user-static. The F (fix-binary) flag matters: the
 * interpreter is opened at registration, so it works inside a root that has no qemu. So does C
 * (credentials, which implies O): without it the kernel runs a setuid binary such as sudo with
 * the caller's ids, and sudo on an arm64 lab host fails with "effective uid is not 0", so all
 * that orbis does as `pi` fails there. Debian registers qemu-aarch64 with PF only; the lab
 * registers it again with PCF (binfmt_misc's register interface, Documentation/admin-guide/
 * binfmt-misc.rst), and says so. It stays so until the next reboot.
 */
export async function ensureBinfmt(arch: LabArch, log?: (message: string) => void): Promise<void> {
  const name = QEMU_NAMES[arch];
  const hint = 'install qemu-user-static and binfmt-support (apt-get install qemu-user-static binfmt-support)';
  if (!existsSync('/proc/sys/fs/binfmt_misc/status')) {
    await run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', '/proc/sys/fs/binfmt_misc'], { hint });
  }
  const entry = `/proc/sys/fs/binfmt_misc/${name}`;
  if (!existsSync(entry) || !(await readFile(entry, 'utf8')).startsWith('enabled')) {
    if (!existsSync(`/usr/share/binfmts/${name}`)) {
      throw new LabError(`cannot run ${arch} binaries on this machine: no ${name} binfmt definition`, hint);
    }
    const result = await runAllowFailure('update-binfmts', ['--enable', name]);
    if (!existsSync(entry)) {
      throw new LabError(`cannot register ${name} with binfmt_misc: ${result.stderr.trim()}`, hint);
    }
  }
  const registered = await readFile(entry, 'utf8');
  const flags = /flags:\s*(\S*)/.exec(registered)?.[1] ?? '';
  if (!flags.includes('F')) {
    throw new LabError(
      `${name} is registered without the F (fix-binary) flag, so it cannot run inside a container`,
      `use Debian's qemu-user-static registration (update-binfmts --disable ${name}; update-binfmts --enable ${name})`,
    );
  }
  if (!flags.includes('C')) {
    const field = (key: string): string => new RegExp(`^${key} (\\S+)$`, 'm').exec(registered)?.[1] ?? '';
    const escaped = (hex: string): string => hex.replace(/(..)/g, '\\x$1');
    const [interpreter, offset, magic, mask] = [field('interpreter'), field('offset'), field('magic'), field('mask')];
    if (!interpreter || !magic) throw new LabError(`cannot read ${name}'s binfmt registration (${entry})`, hint);
    log?.(`registering ${name} again with binfmt's credentials flag (flags P${flags.includes('O') ? 'O' : ''}CF, was ${flags}): setuid sudo must work on ${arch} lab hosts`);
    await writeFile(entry, '-1');
    await writeFile('/proc/sys/fs/binfmt_misc/register', `:${name}:M:${offset || '0'}:${escaped(magic)}:${mask ? escaped(mask) : ''}:${interpreter}:PCF`);
    const now = /flags:\s*(\S*)/.exec(await readFile(entry, 'utf8'))?.[1] ?? '';
    if (!now.includes('C')) throw new LabError(`${name} did not take binfmt's credentials flag (flags ${now})`, hint);
  }
}
