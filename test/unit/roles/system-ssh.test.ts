// The host-basics role (system) and the SSH hardening role (ssh) rendered from settings: what each
// setting turns into, what an empty setting leaves alone, and the shell they carry, run for real
// against temp files where it edits one (/etc/hosts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load.js';
import { renderContext } from '../../../src/roles/context.js';
import { TemplateRenderer } from '../../../src/render/templates.js';
import type { Desired, DesiredCommand } from '../../../src/resources/types.js';
import { buildDesired } from '../../../src/roles/desired.js';
import { loadRoles, roleSourceAt } from '../../../src/roles/load.js';
import { packageRoot } from '../../../src/util/paths.js';
import { hostFacts } from '../resources/fixtures.js';

const roles = loadRoles(['system', 'ssh'], [roleSourceAt(packageRoot())], '0.1.0');
const dir = mkdtempSync(join(tmpdir(), 'orbis-system-role-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function desired(vars: string[] = []): Desired[] {
  const loaded = loadSettings({ env: {}, vars });
  return buildDesired(roles, renderContext(loaded, { values: {} }, hostFacts(), '0.1.0'), new TemplateRenderer()).resources;
}

const names = (resources: Desired[]): string[] => resources.map((r) => `${r.id.role} ${r.id.type} ${r.id.name}`);
const command = (resources: Desired[], name: string): DesiredCommand => {
  const found = resources.find((r): r is DesiredCommand => r.kind === 'command' && r.id.name === name);
  if (!found) throw new Error(`no command ${name}`);
  return found;
};

describe('role system', () => {
  it('with default settings: the services\' locale and the package lists only', () => {
    expect(names(desired())).toEqual([
      'system file /etc/systemd/system/service.d/orbis-locale.conf',
      'system command refresh the package lists',
      'ssh file /etc/ssh/sshd_config.d/01-orbis-hardening.conf',
    ]);
  });

  it('names the host and sets the zone when the settings say so', () => {
    const resources = desired(['NOM_HOTE=salon', 'FUSEAU_HORAIRE=Europe/Paris', 'APT_MISE_A_NIVEAU=true']);
    expect(names(resources)).toEqual(expect.arrayContaining([
      'system precondition known time zone',
      'system package tzdata',
      'system file /etc/hostname',
      'system file /etc/timezone',
      'system link /etc/localtime',
      'system command name the host in /etc/hosts',
      'system command upgrade every package',
    ]));
    expect(resources.find((r) => r.id.name === '/etc/hostname')).toMatchObject({ content: 'salon\n', mode: '0644', notify: ['apply host name'] });
    expect(resources.find((r) => r.id.name === '/etc/localtime')).toMatchObject({ target: '/usr/share/zoneinfo/Europe/Paris' });
  });

  it('refuses a host name with a domain, or a zone with spaces, before any host is touched', () => {
    expect(() => loadSettings({ env: {}, vars: ['NOM_HOTE=salon.local'] })).toThrow(/NOM_HOTE.*without the domain/s);
    expect(() => loadSettings({ env: {}, vars: ['FUSEAU_HORAIRE=Europe/Paris; rm -rf /'] })).toThrow(/FUSEAU_HORAIRE/);
  });

  it('rewrites only the 127.0.1.1 line of /etc/hosts, or adds one, and its guard then holds', () => {
    const hosts = join(dir, 'hosts');
    const { command: cmd, unless } = command(desired(['NOM_HOTE=salon']), 'name the host in /etc/hosts');
    const run = (script: string): number => {
      try {
        execFileSync('bash', ['-c', script.split('/etc/hosts').join(hosts)]);
        return 0;
      } catch (error) {
        return (error as { status: number }).status;
      }
    };
    const others = '127.0.0.1\tlocalhost\n10.0.0.2\tstream.dlive.tv\n';
    writeFileSync(hosts, `${others}127.0.1.1\traspberrypi\n`);
    expect(run(unless ?? '')).not.toBe(0);
    expect(run(cmd)).toBe(0);
    expect(readFileSync(hosts, 'utf8')).toBe(`${others}127.0.1.1\tsalon\n`);
    expect(run(unless ?? '')).toBe(0);
    writeFileSync(hosts, others);
    expect(run(cmd)).toBe(0);
    expect(readFileSync(hosts, 'utf8')).toBe(`${others}127.0.1.1\tsalon\n`);
    // A longer name that starts with this one is not this one.
    writeFileSync(hosts, `${others}127.0.1.1\tsalon2\n`);
    expect(run(unless ?? '')).not.toBe(0);
  });

  it('refreshes the lists only when orbis\'s stamp is older than APT_AGE_MAX_LISTES hours', () => {
    const stamp = join(dir, 'stamp');
    const guard = (hours: string): number => {
      const { unless } = command(desired([`APT_AGE_MAX_LISTES=${hours}`]), 'refresh the package lists');
      try {
        execFileSync('bash', ['-c', (unless ?? '').split('/var/lib/orbis/apt-lists-refreshed').join(stamp)]);
        return 0;
      } catch {
        return 1;
      }
    };
    rmSync(stamp, { force: true });
    expect(guard('24')).toBe(1); // never refreshed by orbis
    writeFileSync(stamp, '');
    expect(guard('24')).toBe(0);
    expect(guard('0')).toBe(1); // 0: every run
    execFileSync('touch', ['-d', '25 hours ago', stamp]);
    expect(guard('24')).toBe(1);
  });
});

describe('role ssh', () => {
  it('is applied under the safety net, and turns off passwords and root', () => {
    const ssh = roles.find((r) => r.spec.name === 'ssh');
    expect(ssh?.spec.confirmAccess).toBe(true);
    const file = desired().find((r) => r.id.role === 'ssh');
    expect(file).toMatchObject({ kind: 'file', mode: '0644', notify: ['reload ssh'] });
    const content = (file as { content: string }).content;
    for (const line of ['PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PermitRootLogin no']) {
      expect(content.split('\n')).toContain(line);
    }
  });
});
