// The import's one-round-trip script: valid bash, the project folder quoted, and its output read
// back (files base64-encoded, processes, units, orbis's manifest).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildImportScript, parseImportOutput } from '../../../src/import/probe.js';
import { b64, ScriptSandbox } from '../facts/script-sandbox.js';

describe('import probe script', () => {
  it('is valid bash, with and without --project', () => {
    for (const options of [{}, { project: "/srv/my 'orbis'/" }]) {
      expect(() => execFileSync('bash', ['-n'], { input: buildImportScript(options) })).not.toThrow();
    }
  });

  it('takes --project as one word, without its trailing slash, and says when it holds no upstream configuration', () => {
    const box = new ScriptSandbox();
    try {
      const dir = join(box.dir, "my 'orbis' $HOME");
      box.write(join(dir, 'conf', 'orbis.conf'), 'A=1\n');
      const snapshot = parseImportOutput(box.run(buildImportScript({ project: `${dir}//` })).stdout);
      expect(snapshot.projects).toEqual([{ dir, owner: expect.any(String) }]);
      expect(snapshot.files.get(`${dir}/conf/orbis.conf`)?.text).toBe('A=1\n');
      const out = box.run(buildImportScript({ project: join(box.dir, 'elsewhere') })).stdout;
      expect(out).toContain(`NOPROJECT\t${b64(join(box.dir, 'elsewhere'))}\n`);
      expect(parseImportOutput(out).projects).toEqual([]);
    } finally {
      box.remove();
    }
  });

  it('runs on this machine and reports a project folder it finds, with its files', () => {
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    execFileSync('bash', ['-c', `mkdir -p "${dir}/conf" "${dir}/ldl" "${dir}/scripts" && printf 'A=1\\n' > "${dir}/conf/orbis.conf" && printf 'http://x/y\\n' > "${dir}/ldl/l.txt" && printf '#!/bin/sh\\n' > "${dir}/scripts/s.sh"`]);
    const out = execFileSync('bash', ['-s'], { input: buildImportScript({ project: dir }) }).toString();
    const snapshot = parseImportOutput(out);
    expect(snapshot.projects).toEqual([{ dir, owner: expect.any(String) }]);
    expect(snapshot.files.get(`${dir}/conf/orbis.conf`)?.text).toBe('A=1\n');
    expect(snapshot.files.get(`${dir}/ldl/l.txt`)?.text).toBe('http://x/y\n');
    expect(snapshot.listed.map((f) => f.path)).toContain(`${dir}/scripts/s.sh`);
    expect(snapshot.hostname.length).toBeGreaterThan(0);
    execFileSync('rm', ['-rf', dir]);
  });
});

describe('import probe output', () => {
  it('reads files, listings, projects, homes, units, processes and the manifest', () => {
    const output = [
      'HOSTNAME\tsalon',
      'UID\t0',
      `FILE\t${b64('/etc/stunnel/stunnel.conf')}\t644\troot\t1700000000\t12\t${b64('[k]\nclient=yes\n')}`,
      `LISTED\t${b64('/home/pi/OrbisAlternis/img/logo.png')}\t644\tpi\t1700000001\t70`,
      `PROJECT\t${b64('/home/pi/OrbisAlternis')}\tpi`,
      `HOME\tpi\t${b64('/home/pi')}`,
      'UNIT\tstunnel4.service\tactive\tenabled',
      'UNIT\torbis.service\tinactive\t',
      `PROC\t4242\t${b64('bash\nscripts/diffuser.sh\n-l\nldl/a b.txt\n')}\t${b64('/home/pi/OrbisAlternis')}\t\tpi`,
      `PROC\t77\t${b64('/usr/local/bin/btfs\ndaemon\n')}\t${b64('/')}\tbtfs.service\tpi`,
      `MANIFEST\t${b64(JSON.stringify({ version: 2, files: { '/etc/nginx/nginx.conf': { sha256: 'a', role: 'nginx-rtmp' } } }))}`,
      'SOMETHING\tnew',
    ].join('\n');
    const s = parseImportOutput(output);
    expect(s.root).toBe(true);
    expect(s.hostname).toBe('salon');
    expect(s.files.get('/etc/stunnel/stunnel.conf')).toEqual({ path: '/etc/stunnel/stunnel.conf', mode: '0644', owner: 'root', mtime: 1700000000, size: 12, text: '[k]\nclient=yes\n' });
    expect(s.listed).toEqual([{ path: '/home/pi/OrbisAlternis/img/logo.png', mode: '0644', owner: 'pi', mtime: 1700000001, size: 70 }]);
    expect(s.projects).toEqual([{ dir: '/home/pi/OrbisAlternis', owner: 'pi' }]);
    expect(s.homes).toEqual({ pi: '/home/pi' });
    expect(s.units).toEqual({ 'stunnel4.service': { active: 'active', enabled: 'enabled' }, 'orbis.service': { active: 'inactive', enabled: 'not-found' } });
    expect(s.processes).toEqual([
      { pid: 4242, args: ['bash', 'scripts/diffuser.sh', '-l', 'ldl/a b.txt'], cwd: '/home/pi/OrbisAlternis', unit: '', user: 'pi' },
      { pid: 77, args: ['/usr/local/bin/btfs', 'daemon'], cwd: '/', unit: 'btfs.service', user: 'pi' },
    ]);
    expect(s.orbisManaged).toEqual(['/etc/nginx/nginx.conf']);
  });

  it('says when it did not run as root', () => {
    expect(parseImportOutput('UID\t1000\n').root).toBe(false);
  });
});
