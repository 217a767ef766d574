// The BTFS release to install on a host: URL from the template, and the checksum for its
// architecture. No checksum, no install: upstream's unpinned "latest" download is what not to do.
import type { ConfigIssue } from './errors.js';
import { locateProblem } from './locate.js';
import type { SettingOrigins, ValueOrigin } from './origins.js';
import type { Settings, SettingName } from './settings.js';

/** Debian architectures orbis installs BTFS on (the Pi's arm64, and amd64 test machines). */
export const BTFS_ARCHES = { arm64: 'BTFS_SHA256_ARM64', amd64: 'BTFS_SHA256_AMD64' } as const satisfies Record<string, SettingName>;
export type BtfsArch = keyof typeof BTFS_ARCHES;

/** The conf file commands read and write unless told otherwise (--conf). */
export const DEFAULT_CONF_PATH = 'conf/orbis.conf';

export type BtfsDownload = { ok: true; url: string; sha256: string } | { ok: false; issue: ConfigIssue };

export function btfsDownload(settings: Settings, debianArch: string, origins?: SettingOrigins): BtfsDownload {
  if (!(debianArch in BTFS_ARCHES)) {
    return {
      ok: false,
      issue: { variable: 'BTFS_URL_TELECHARGEMENT', message: `no BTFS release is configured for the architecture ${debianArch}`, hint: `orbis installs BTFS on ${Object.keys(BTFS_ARCHES).join(' and ')}` },
    };
  }
  const shaName = BTFS_ARCHES[debianArch as BtfsArch];
  const sha256 = settings[shaName];
  if (sha256 === undefined) {
    const origin = origins?.[shaName] ?? { kind: 'default' };
    return {
      ok: false,
      issue: locateProblem(
        { variable: shaName, message: `is empty: BTFS is not pinned for this ${debianArch} host, and orbis installs no download it cannot check`, hint: pinHint(debianArch, settings.BTFS_VERSION, origin) },
        { origin },
      ),
    };
  }
  return { ok: true, url: btfsReleaseUrl(settings.BTFS_URL_TELECHARGEMENT, settings.BTFS_VERSION, debianArch), sha256 };
}

/**
 * What to run: go-btfs publishes no checksum, so a user cannot "set" one by hand; `orbis btfs pin`
 * downloads the release, checks what it carries and writes the sha256 where the empty value is
 * (its conf file; --conf when that is not the default one).
 */
function pinHint(debianArch: string, version: string, origin: ValueOrigin): string {
  const conf = origin.kind === 'file' && origin.file !== DEFAULT_CONF_PATH ? ` --conf ${origin.file}` : '';
  const where = origin.kind === 'env' ? ` (and unset ${origin.variable}, which is empty and wins over the conf)` : '';
  return `run \`orbis btfs pin --arch ${debianArch}${conf}\`: it downloads BTFS ${version} for ${debianArch} on this machine, checks it and writes its sha256 into the conf${where}`;
}

/** The release's URL: BTFS_URL_TELECHARGEMENT with {version} and {arch} filled in (also `orbis btfs pin`). */
export function btfsReleaseUrl(template: string, version: string, debianArch: string): string {
  return template.replaceAll('{version}', version).replaceAll('{arch}', debianArch);
}
