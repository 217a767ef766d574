// What makes one overlay a distinct host: its own SSH host keys and machine id, hostname,
// /etc/hosts pointing the platforms' names at the ingest, the lab key authorised for `pi` and
// `root`, and the lab CA in the trust store. All written from the controller into the
// mounted root, so it costs the same for an arm64 host as for an amd64 one (no emulation).
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, chown, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError, run } from './exec.js';

export interface HostIdentity {
  hostname: string;
  /** Names resolved through /etc/hosts, e.g. `stream.dlive.tv` -> the ingest's address. */
  hostsEntries: ReadonlyArray<{ address: string; names: readonly string[] }>;
  authorizedKey: string;
  caCertPem: string;
  caHash: string;
  /** A foreign-architecture host, run through qemu-user (see relaxForEmulation). */
  emulated?: boolean;
  /** A fresh Pi's state: `pi` logs in with a password only (see makePasswordOnly). */
  passwordOnly?: PasswordOnly;
}

export interface PasswordOnly {
  /** crypt(3) hash of pi's password (`openssl passwd -6`): the password itself never gets here. */
  hash: string;
  /** sudo asks pi for the password (no NOPASSWD rule), as on a plain Debian. */
  sudoAsksPassword: boolean;
  /** The lab's controller address: root may still log in from there by key (see makePasswordOnly). */
  controllerAddress: string;
}

export const LAB_CA_NAME = 'orbis-lab-ca';

export async function personalizeRoot(root: string, identity: HostIdentity): Promise<void> {
  await regenerateHostKeys(root);
  await writeFile(join(root, 'etc/machine-id'), `${randomBytes(16).toString('hex')}\n`, { mode: 0o444 });
  await writeFile(join(root, 'etc/hostname'), `${identity.hostname}\n`);
  await writeFile(join(root, 'etc/hosts'), hostsFile(identity));
  await authorize(root, 'root', identity.authorizedKey);
  if (identity.passwordOnly) await makePasswordOnly(root, identity.passwordOnly);
  else await authorize(root, 'pi', identity.authorizedKey);
  await trustCa(root, identity);
  await keepUserManagers(root);
  if (identity.emulated) await relaxForEmulation(root);
}

/**
 * Like a Pi fresh from the imager: `pi` has a password, no ~/.ssh at all, and sshd takes
 * passwords (Debian's default). The lab itself keeps a way in for root by key from the controller
 * only (a Match block, which no global setting of a drop-in overrides): readiness checks, `lab
 * status` and tests still reach a host whose SSH orbis hardened, as a console would.
 */
async function makePasswordOnly(root: string, spec: PasswordOnly): Promise<void> {
  const shadowPath = join(root, 'etc/shadow');
  const shadow = await readFile(shadowPath, 'utf8');
  let found = false;
  const updated = shadow
    .split('\n')
    .map((line) => {
      const fields = line.split(':');
      if (fields[0] !== 'pi') return line;
      found = true;
      fields[1] = spec.hash;
      return fields.join(':');
    })
    .join('\n');
  if (!found) throw new LabError(`user pi is missing from the lab base (${shadowPath})`, 'rebuild the base: remove ORBIS_LAB_CACHE/rootfs and run `orbis lab up`');
  await writeFile(shadowPath, updated, { mode: 0o640 });
  await rm(join(root, 'home/pi/.ssh'), { recursive: true, force: true });
  if (spec.sudoAsksPassword) await rm(join(root, 'etc/sudoers.d/010_pi-nopasswd'), { force: true });
  await writeFile(
    join(root, 'etc/ssh/sshd_config.d/00-orbis-lab.conf'),
    [
      '# orbis lab: root may log in by key from the controller, whatever the rest of the configuration says',
      '# (the lab\'s own way in, as a console would be; not part of what orbis manages).',
      `Match User root Address ${spec.controllerAddress}`,
      '  PermitRootLogin prohibit-password',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
}

/**
 * Linger for `root` and `pi`: their systemd user managers start at boot and stay. Without it
 * every SSH login starts a whole `user@UID.service` and every logout stops it; tests that poll a
 * host over SSH twice a second made systemd churn so hard under load that a login once took
 * longer than the client's keepalive allowed (ssh exit 255, seen in CI). A real Pi gets a
 * handful of logins per orbis run, so this changes nothing orbis relies on.
 */
async function keepUserManagers(root: string): Promise<void> {
  const dir = join(root, 'var/lib/systemd/linger');
  await mkdir(dir, { recursive: true, mode: 0o755 });
  for (const user of ['root', 'pi']) await writeFile(join(dir, user), '');
}

// Units that load systemd credentials: under qemu-user the credential setup fails ("Failed to
// set up credentials: Invalid argument", exit 243/CREDENTIALS), so tmpfiles, sysusers and
// sysctl would fail at every boot and leave the host degraded. The lab passes no credentials.
const CREDENTIAL_UNITS = [
  'procps',
  'systemd-sysctl',
  'systemd-sysusers',
  'systemd-tmpfiles-clean',
  'systemd-tmpfiles-setup',
  'systemd-tmpfiles-setup-dev',
];

async function relaxForEmulation(root: string): Promise<void> {
  for (const unit of CREDENTIAL_UNITS) {
    const dir = join(root, `etc/systemd/system/${unit}.service.d`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'orbis-lab-emulation.conf'), '# orbis lab: credentials cannot be set up under qemu-user\n[Service]\nLoadCredential=\n');
  }
}

export function hostsFile(identity: Pick<HostIdentity, 'hostname' | 'hostsEntries'>): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    `127.0.1.1\t${identity.hostname}`,
    '::1\t\tlocalhost ip6-localhost ip6-loopback',
    'ff02::1\t\tip6-allnodes',
    'ff02::2\t\tip6-allrouters',
    '',
    '# orbis lab: the stand-in internet (the ingest plays DLive, Kick and the BTFS network)',
    ...identity.hostsEntries.map((e) => `${e.address}\t${e.names.join(' ')}`),
  ];
  return `${lines.join('\n')}\n`;
}

async function regenerateHostKeys(root: string): Promise<void> {
  const sshDir = join(root, 'etc/ssh');
  for (const name of await readdir(sshDir)) {
    if (name.startsWith('ssh_host_')) await rm(join(sshDir, name), { force: true });
  }
  // `-f` makes `-A` write under the root given: the controller's ssh-keygen, no chroot needed.
  await run('ssh-keygen', ['-A', '-f', root], { hint: 'the lab needs ssh-keygen (apt-get install openssh-client)' });
}

async function authorize(root: string, user: 'root' | 'pi', key: string): Promise<void> {
  const account = await lookupUser(root, user);
  const sshDir = join(root, account.home.replace(/^\//, ''), '.ssh');
  await mkdir(sshDir, { recursive: true, mode: 0o700 });
  const file = join(sshDir, 'authorized_keys');
  await writeFile(file, `${key.trim()}\n`, { mode: 0o600 });
  await chmod(sshDir, 0o700);
  await chown(sshDir, account.uid, account.gid);
  await chown(file, account.uid, account.gid);
}

async function lookupUser(root: string, user: string): Promise<{ uid: number; gid: number; home: string }> {
  const passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid, , home] = line.split(':');
    if (name === user && uid && gid && home) return { uid: Number(uid), gid: Number(gid), home };
  }
  throw new LabError(`user ${user} is missing from the lab base (${root}/etc/passwd)`, 'rebuild the base: remove ORBIS_LAB_CACHE/rootfs and run `orbis lab up`');
}

/**
 * What `update-ca-certificates` does for one local CA: the file under
 * /usr/local/share/ca-certificates, its link and hash link in /etc/ssl/certs, and its PEM
 * appended to the bundle. Done from the controller (the guest's tool would run under qemu on
 * arm64); a later update-ca-certificates in the guest rebuilds the same result.
 */
async function trustCa(root: string, identity: HostIdentity): Promise<void> {
  const localDir = join(root, 'usr/local/share/ca-certificates');
  await mkdir(localDir, { recursive: true });
  const pem = identity.caCertPem.endsWith('\n') ? identity.caCertPem : `${identity.caCertPem}\n`;
  await writeFile(join(localDir, `${LAB_CA_NAME}.crt`), pem, { mode: 0o644 });
  const certs = join(root, 'etc/ssl/certs');
  await rm(join(certs, `${LAB_CA_NAME}.pem`), { force: true });
  await symlink(`/usr/local/share/ca-certificates/${LAB_CA_NAME}.crt`, join(certs, `${LAB_CA_NAME}.pem`));
  for (let n = 0; n < 10; n++) {
    const link = join(certs, `${identity.caHash}.${n}`);
    const existing = await readFile(link, 'utf8').catch(() => undefined);
    if (existing === undefined) {
      await symlink(`${LAB_CA_NAME}.pem`, link);
      break;
    }
    if (existing === pem) break;
  }
  await appendFile(join(certs, 'ca-certificates.crt'), pem);
}
