import { describe, expect, it } from 'vitest';
import type { LabHost, LabState } from '../../../src/lab/index.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTarget } from '../../../src/transport/ssh-config.js';
import { benchEnv, hostsNamed, sshConfigFor } from '../../bench/fleet.js';

const host = (name: string, address: string): LabHost =>
  ({ name, address, user: 'pi', port: 22, keyPath: '/lab/ssh/id_ed25519', role: 'pi' }) as LabHost;

describe('bench fleet', () => {
  it('picks a prefix\'s hosts in numeric order', () => {
    const hosts = Object.fromEntries([host('pi10', 'a'), host('pi2', 'b'), host('pi1', 'c'), host('f1-1', 'd'), host('pix', 'e')].map((h) => [h.name, h]));
    expect(hostsNamed({ hosts }, 'pi').map((h) => h.name)).toEqual(['pi1', 'pi2', 'pi10']);
    expect(hostsNamed({ hosts }, 'f1-').map((h) => h.name)).toEqual(['f1-1']);
  });

  it('writes an ssh_config that orbis resolves to the host, its user, key and known_hosts', () => {
    const text = sshConfigFor([host('f1-1', '10.9.0.11'), host('f1-2', '10.9.0.12')], '/lab/ssh/known_hosts');
    const file = join(mkdtempSync(join(tmpdir(), 'orbis-bench-fleet-')), 'ssh_config');
    writeFileSync(file, text);
    const target = resolveTarget('f1-2', { configFile: file });
    expect(target).toMatchObject({ hostname: '10.9.0.12', user: 'pi', port: 22, knownHostsFiles: ['/lab/ssh/known_hosts'], hostKeyPolicy: 'strict', identityFiles: ['/lab/ssh/id_ed25519'] });
  });

  it('gives every run the lab\'s BTFS release and the checksums of the architectures the lab built, and stand-in keys', () => {
    const release = (arch: 'amd64' | 'arm64', sha256: string) => ({ arch, file: `btfs-linux-${arch}.tar`, url: `http://ingest.orbis-lab/releases/download/btfs-v4.1.0/btfs-linux-${arch}.tar`, addressUrl: '', sha256, sha256Url: '', bytes: 1 });
    const btfs = { version: '4.1.0', releaseTag: 'btfs-v4.1.0', downloadBase: 'http://ingest.orbis-lab/releases/download/', releases: { amd64: release('amd64', 'a'.repeat(64)) } } as unknown as LabState['btfs'];
    expect(benchEnv({ btfs }, { dlive: 'd', kick: 'k' })).toEqual({
      ORBIS_DLIVE_CLE_FLUX: 'd',
      ORBIS_KICK_CLE_FLUX: 'k',
      ORBIS_BTFS_URL_TELECHARGEMENT: 'http://ingest.orbis-lab/releases/download/btfs-v{version}/btfs-linux-{arch}.tar',
      ORBIS_BTFS_SHA256_AMD64: 'a'.repeat(64),
      ORBIS_PRESET_ENCODAGE: 'ultrafast',
    });
  });
});
