// The demo's configuration: an ordinary conf/orbis.conf (the seed's format and names) for a
// small, cheap stream from a lab Pi to the lab's stand-in DLive and Kick, with throwaway demo
// keys, and BTFS installed from the lab's stand-in release. Written as a file so that the
// commands `orbis demo --keep` suggests afterwards read exactly what the demo provisioned with.
import { randomBytes } from 'node:crypto';
import { LAB_ARCHES } from '../lab/config.js';
import { LabError } from '../lab/exec.js';
import type { LabState } from '../lab/state.js';
import { Secret } from '../redact/secret.js';

/** The demo's own lab, apart from `orbis lab`'s default one and the e2e tests' labs. */
export const DEMO_LAB_NAME = 'orbis-demo';
export const DEMO_LAB_SUBNET = '10.213.100.0/24';

/** Where each run keeps its whole output (apt's, the lab's, orbis provision's): one file a run. */
export const DEMO_LOG_DIR = '/var/log/orbis-demo';

export function demoLogFile(labName: string, at: Date = new Date(), dir: string = DEMO_LOG_DIR): string {
  const stamp = at.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
  // The name is the user's (--name): nothing in it may lead out of the directory.
  return `${dir}/${labName.replace(/[^a-zA-Z0-9-]/g, '_')}-${stamp}.log`;
}

/** The demo stream: small, so a lab Pi encodes it easily on a busy machine. */
export const DEMO_STREAM = { width: 640, height: 360, preset: 'ultrafast' } as const;

export interface DemoKeys {
  dlive: Secret;
  kick: Secret;
}

/** Fresh keys for one demo run. They are throwaway, yet handled (and never shown) as real ones. */
export function newDemoKeys(): DemoKeys {
  const id = () => randomBytes(6).toString('hex');
  return { dlive: new Secret(`demo-dlive-${id()}`, 'orbis demo'), kick: new Secret(`sk_demo-kick-${id()}`, 'orbis demo') };
}

/**
 * The stand-in's release URL as the setting wants it, `{version}` and `{arch}` in place: go-btfs's
 * plain tar `btfs-linux-{arch}.tar` under its release tag (`btfs-v{version}`), the GitHub URL
 * with the lab ingest in place of `https://github.com/bittorrent/go-btfs/releases/`.
 */
export function btfsUrlTemplate(lab: Pick<LabState, 'btfs'>): string {
  const { downloadBase, releaseTag, version } = lab.btfs;
  const template = `${downloadBase}${releaseTag.split(version).join('{version}')}/btfs-linux-{arch}.tar`;
  const expand = (arch: string) => template.split('{version}').join(version).split('{arch}').join(arch);
  const releases = Object.values(lab.btfs.releases).flatMap((r) => (r ? [r] : []));
  if (releases.length === 0 || !releaseTag.includes(version) || releases.some((r) => expand(r.arch) !== r.url)) {
    throw new LabError(
      `the lab's BTFS release URLs do not follow ${template} (${releases.map((r) => r.url).join(', ') || 'none'})`,
      'rebuild the lab (`orbis lab down`, then run the demo again)',
    );
  }
  return template;
}

/**
 * The conf file's text. Keys go in double quotes: a valid key holds no character they change.
 * A checksum for each architecture the lab has a release of: the lab builds its Pi's only.
 */
export function demoConfText(lab: Pick<LabState, 'name' | 'btfs'>, keys: DemoKeys): string {
  const sha256 = LAB_ARCHES.map((arch) => {
    const release = lab.btfs.releases[arch];
    const name = `BTFS_SHA256_${arch.toUpperCase()}`;
    return release ? `${name}="${release.sha256}"` : `# ${name}: no ${arch} release in this lab (its Pi is not ${arch})`;
  });
  return [
    `# orbis demo, lab "${lab.name}": what the lab Pi streams and where. The same format and`,
    '# names as conf/orbis.conf (see conf/orbis.conf.example); everything not set here is the default.',
    '# The stand-in DLive and Kick are the lab\'s ingest host: the Pi resolves stream.dlive.tv and',
    "# Kick's ingest host to it. The keys are throwaway demo keys (this file is 0600, root only).",
    'PLATEFORMES="toutes"',
    `DLIVE_CLE_FLUX="${keys.dlive.reveal()}"`,
    `KICK_CLE_FLUX="${keys.kick.reveal()}"`,
    '',
    '# A small stream: every lab Pi encodes on this machine\'s CPU.',
    `LARGEUR_MAX=${DEMO_STREAM.width}`,
    `HAUTEUR_MAX=${DEMO_STREAM.height}`,
    `PRESET_ENCODAGE=${DEMO_STREAM.preset}`,
    '',
    "# BTFS from the lab's stand-in release, checked against its SHA-256 like the real one.",
    `BTFS_VERSION="${lab.btfs.version}"`,
    `BTFS_URL_TELECHARGEMENT="${btfsUrlTemplate(lab)}"`,
    ...sha256,
    `BTFS_HASH_TEST="${lab.btfs.testCid}"`,
    '',
  ].join('\n');
}
