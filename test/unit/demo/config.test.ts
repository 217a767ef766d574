// The demo's configuration is an ordinary orbis.conf: it must load, validate, enable both
// platforms with the demo keys, and point BTFS at the lab's stand-in release for either arch.
import { describe, expect, it } from 'vitest';
import { btfsDownload, loadSettings, requireKeysFor } from '../../../src/config/index.js';
import { btfsUrlTemplate, demoConfText, demoLogFile, DEMO_STREAM, newDemoKeys } from '../../../src/demo/config.js';
import type { LabState } from '../../../src/lab/state.js';

const release = (arch: 'amd64' | 'arm64', sha: string) => ({
  arch,
  file: `btfs-linux-${arch}.tar`,
  url: `http://ingest.orbis-lab/releases/download/btfs-v4.1.0/btfs-linux-${arch}.tar`,
  addressUrl: `http://10.0.0.2/releases/download/btfs-v4.1.0/btfs-linux-${arch}.tar`,
  sha256: sha,
  sha256Url: '',
  bytes: 1,
});

const lab = {
  name: 'orbis-demo',
  btfs: {
    version: '4.1.0',
    releaseTag: 'btfs-v4.1.0',
    downloadBase: 'http://ingest.orbis-lab/releases/download/',
    testCid: 'QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2',
    bootstrapUrl: '',
    releases: { amd64: release('amd64', 'a'.repeat(64)), arm64: release('arm64', 'b'.repeat(64)) },
    sha256SumsUrl: '',
    content: [],
  },
} as unknown as Pick<LabState, 'name' | 'btfs'>;

describe('the demo configuration', () => {
  it('loads as orbis.conf: both platforms with the demo keys, the small stream, BTFS from the lab', () => {
    const keys = newDemoKeys();
    const loaded = loadSettings({ confPath: 'demo.conf', confText: demoConfText(lab, keys), env: {} });
    expect(loaded.platforms).toEqual(['dlive', 'kick']);
    expect(requireKeysFor(loaded.settings, loaded.origins, loaded.platforms)).toEqual([]);
    expect(loaded.settings.DLIVE_CLE_FLUX.reveal()).toBe(keys.dlive.reveal());
    expect(loaded.settings.KICK_CLE_FLUX.reveal()).toBe(keys.kick.reveal());
    expect(loaded.settings.LARGEUR_MAX).toBe(DEMO_STREAM.width);
    expect(loaded.settings.HAUTEUR_MAX).toBe(DEMO_STREAM.height);
    expect(loaded.settings.PRESET_ENCODAGE).toBe('ultrafast');
    for (const arch of ['amd64', 'arm64'] as const) {
      expect(btfsDownload(loaded.settings, arch)).toEqual({ ok: true, url: lab.btfs.releases[arch]?.url, sha256: lab.btfs.releases[arch]?.sha256 });
    }
  });

  it('has fresh keys each run, and each key only on its own line', () => {
    const a = newDemoKeys();
    const b = newDemoKeys();
    expect(a.dlive.reveal()).not.toBe(b.dlive.reveal());
    expect(String(a.dlive)).not.toContain(a.dlive.reveal());
    const text = demoConfText(lab, a);
    expect(text.split('\n').filter((l) => l.includes(a.dlive.reveal()))).toEqual([`DLIVE_CLE_FLUX="${a.dlive.reveal()}"`]);
    expect(text.split('\n').filter((l) => l.includes(a.kick.reveal()))).toEqual([`KICK_CLE_FLUX="${a.kick.reveal()}"`]);
  });

  it('refuses release URLs that do not follow go-btfs\'s layout', () => {
    const odd = structuredClone(lab) as typeof lab;
    odd.btfs.releases.arm64 = { ...release('arm64', 'b'.repeat(64)), url: 'http://elsewhere/btfs-linux-arm64.tar' };
    expect(() => btfsUrlTemplate(odd)).toThrow(/do not follow/);
    expect(btfsUrlTemplate(lab)).toBe('http://ingest.orbis-lab/releases/download/btfs-v{version}/btfs-linux-{arch}.tar');
  });

  it('with the release of the lab Pi\'s architecture only (the demo\'s lab builds no other): that one\'s checksum', () => {
    const amd64Only = structuredClone(lab) as typeof lab;
    delete amd64Only.btfs.releases.arm64;
    const text = demoConfText(amd64Only, newDemoKeys());
    expect(text).toContain('# BTFS_SHA256_ARM64: no arm64 release in this lab');
    const loaded = loadSettings({ confPath: 'demo.conf', confText: text, env: {} });
    expect(btfsDownload(loaded.settings, 'amd64')).toEqual({ ok: true, url: lab.btfs.releases.amd64?.url, sha256: 'a'.repeat(64) });
    expect(btfsDownload(loaded.settings, 'arm64').ok).toBe(false);
  });

  it('keeps each run\'s output in a log file of its own, named after the lab and the time', () => {
    const at = new Date('2025-03-04T05:06:07.890Z');
    expect(demoLogFile('orbis-demo', at, '/var/log/orbis-demo')).toBe('/var/log/orbis-demo/orbis-demo-20250304-050607.log');
    expect(demoLogFile('../../etc/x', at, '/logs')).toBe('/logs/______etc_x-20250304-050607.log');
  });
});
