// The bench's lab Pis: which hosts make a fleet of N, how orbis and ssh reach them (inventory,
// ssh_config), and the streamer kept idle.
//
// Why idle and not stopped: `systemctl stop orbis` leaves a Pi that orbis rightly reports as
// drift (the role wants the unit started), so a "no-op" run would start it again and `check`
// would exit 2. Instead each bench Pi gets a systemd drop-in, before orbis first runs there,
// that replaces the streamer's command with `sleep infinity`: the unit orbis manages is loaded,
// enabled and active as the role wants, orbis's files are untouched (drop-ins are not orbis's),
// and no encoder competes for the controller's 2 cores (20 of them would time FFmpeg, not orbis).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { btfsUrlTemplate } from '../../src/demo/config.js';
import { addHost, labInventory, loadLab, removeHost, type LabHost, type LabState } from '../../src/lab/index.js';

export const IDLE_STREAMER_DROPIN = 'etc/systemd/system/orbis.service.d/bench-idle.conf';

const IDLE_STREAMER_UNIT = `# orbis bench: the streamer idles (no encoder); see test/bench/fleet.ts
[Service]
ExecStart=
ExecStart=/bin/sleep infinity
`;

/**
 * The settings every bench run gets from its environment (with `--conf /dev/null`): stand-in
 * keys, the lab's BTFS release and the checksum of each architecture the lab built (its hosts'
 * only: the e2e tests' stackEnv wants arm64's too), and a cheap encoder preset.
 */
export function benchEnv(lab: Pick<LabState, 'btfs'>, keys: { dlive: string; kick: string }): Record<string, string> {
  const sums = Object.values(lab.btfs.releases).flatMap((r) => (r ? [[`ORBIS_BTFS_SHA256_${r.arch.toUpperCase()}`, r.sha256]] : []));
  return {
    ORBIS_DLIVE_CLE_FLUX: keys.dlive,
    ORBIS_KICK_CLE_FLUX: keys.kick,
    ORBIS_BTFS_URL_TELECHARGEMENT: btfsUrlTemplate(lab),
    ...Object.fromEntries(sums),
    ORBIS_PRESET_ENCODAGE: 'ultrafast',
  };
}

/** Written through the host's root filesystem as mounted on the controller: no SSH needed. */
export async function idleStreamer(host: Pick<LabHost, 'root'>): Promise<void> {
  const path = join(host.root, IDLE_STREAMER_DROPIN);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, IDLE_STREAMER_UNIT, { mode: 0o644 });
}

/** Pi hosts whose name starts with `prefix`, in numeric order (pi2 before pi10). */
export function hostsNamed(state: Pick<LabState, 'hosts'>, prefix: string): LabHost[] {
  return Object.values(state.hosts)
    .filter((h) => h.role === 'pi' && h.name.startsWith(prefix) && /^\d+$/.test(h.name.slice(prefix.length)))
    .sort((a, b) => Number(a.name.slice(prefix.length)) - Number(b.name.slice(prefix.length)));
}

export async function writeInventory(state: LabState, hosts: readonly LabHost[], file: string): Promise<string> {
  await writeFile(file, labInventory(state, hosts.map((h) => h.name)));
  return file;
}

/**
 * An ssh_config naming each host by its lab name, read alike by OpenSSH (the apt-get baseline)
 * and by orbis (`orbis provision NAME --ssh-config FILE`): a fresh host gets a new address on
 * every run, its alias stays.
 */
export function sshConfigFor(hosts: readonly Pick<LabHost, 'name' | 'address' | 'user' | 'port' | 'keyPath'>[], knownHosts: string): string {
  return hosts
    .map((h) =>
      [
        `Host ${h.name}`,
        `  HostName ${h.address}`,
        `  User ${h.user}`,
        `  Port ${h.port}`,
        `  IdentityFile ${h.keyPath}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHosts}`,
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '',
      ].join('\n'),
    )
    .join('\n');
}

/**
 * Replace the lab's hosts PREFIX1..PREFIXn by new ones (fresh overlays on the cached base, new
 * host keys, new addresses) and write DIR/PREFIX.yaml (inventory) and DIR/PREFIX.ssh_config.
 */
export async function replaceFreshHosts(lab: string, prefix: string, count: number, dir: string, idle: boolean): Promise<LabHost[]> {
  const before = await loadLab(lab);
  await Promise.all(hostsNamed(before, prefix).map((h) => removeHost(lab, h.name)));
  const hosts = await Promise.all(Array.from({ length: count }, (_, i) => addHost(lab, { name: `${prefix}${i + 1}` })));
  if (idle) await Promise.all(hosts.map(idleStreamer));
  const state = await loadLab(lab);
  await writeInventory(state, hosts, join(dir, `${prefix}.yaml`));
  await writeFile(join(dir, `${prefix}.ssh_config`), sshConfigFor(hosts, state.knownHostsPath));
  return hosts;
}
