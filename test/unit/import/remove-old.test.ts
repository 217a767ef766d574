// --remove-old's decisions before anything runs on the Pi: what would go, what stays and why,
// and what blocks the removal (orbis not in charge yet, upstream still running by hand).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { archiveName, buildRemovalScript, parseRemovalOutput, removalPlan } from '../../../src/import/remove-old.js';
import { formatRemoveOldReport, removeOldReport } from '../../../src/import/remove-old-report.js';
import { handStartedStreamer, NGINX_CONF, snapshotOf } from './fixtures.js';

const OWNED = ['/etc/nginx/nginx.conf', '/etc/systemd/system/btfs.service', '/etc/nginx/orbis/rtmp.conf'];
const ORBIS_NGINX = 'include /etc/nginx/modules-enabled/*.conf;\ninclude /etc/nginx/orbis/rtmp.conf;\n';

describe('removalPlan', () => {
  it('once orbis owns the stack: the project folder, the rtmp block, the stats site, stunnel.conf, and stunnel4 off', () => {
    const plan = removalPlan(snapshotOf({ orbisManaged: OWNED, files: { '/etc/nginx/nginx.conf': ORBIS_NGINX } }), { inUse: [] });
    expect(plan.blockers).toEqual([]);
    expect(plan.remove).toEqual([
      '/home/pi/OrbisAlternis',
      '/etc/nginx/orbis-rtmp-block.conf',
      '/etc/nginx/sites-enabled/orbis-stats.conf',
      '/etc/stunnel/stunnel.conf',
    ]);
    expect(plan.disable).toEqual(['stunnel4.service']);
    expect(plan.keep).toEqual([]);
  });

  it('refuses while upstream still runs the Pi: nginx.conf and btfs.service not orbis\'s, the include in place, a streamer by hand', () => {
    const plan = removalPlan(snapshotOf({ processes: [handStartedStreamer(['-m'])] }), { inUse: [] });
    expect(plan.blockers.map((b) => b.message)).toEqual([
      "/etc/nginx/nginx.conf is not orbis's yet: upstream's stack still depends on what would be removed",
      "/etc/systemd/system/btfs.service is not orbis's yet: upstream's stack still depends on what would be removed",
      '/etc/nginx/nginx.conf still includes /etc/nginx/orbis-rtmp-block.conf',
      'an upstream process still runs by hand: pid 4242 (diffuser.sh, user pi)',
    ]);
    expect(plan.blockers[3]?.hint).toContain('sudo kill 4242');
    expect(NGINX_CONF).toContain('orbis-rtmp-block.conf');
  });

  it('keeps the watermark the settings still use, and a stunnel.conf that is not the Kick tunnel', () => {
    const plan = removalPlan(
      snapshotOf({ orbisManaged: OWNED, files: { '/etc/nginx/nginx.conf': ORBIS_NGINX, '/etc/stunnel/stunnel.conf': '[web]\naccept = 443\nconnect = 80\n' } }),
      { inUse: ['/home/pi/OrbisAlternis/img/logo.png', '/var/lib/orbis/logo.png'] },
    );
    expect(plan.keep).toEqual([
      { path: '/home/pi/OrbisAlternis/img/logo.png', why: 'the imported settings still use it (FILIGRANE_IMAGE)' },
      { path: '/etc/stunnel/stunnel.conf', why: "it is not upstream's Kick tunnel" },
    ]);
    expect(plan.remove).not.toContain('/etc/stunnel/stunnel.conf');
  });

  it('has nothing to do once everything is gone', () => {
    const gone = snapshotOf({ orbisManaged: OWNED, units: { 'stunnel4.service': { active: 'inactive', enabled: 'disabled' } } });
    gone.projects = [];
    for (const p of ['/etc/nginx/orbis-rtmp-block.conf', '/etc/nginx/sites-enabled/orbis-stats.conf', '/etc/stunnel/stunnel.conf']) gone.files.delete(p);
    expect(removalPlan(gone, { inUse: [] })).toEqual({ remove: [], keep: [], disable: [], blockers: [] });
  });
});

describe('removal script', () => {
  // What it does when it runs (archive first, keep, restore): remove-old-script.test.ts.
  it('is valid bash, and names the archive by time', () => {
    const plan = removalPlan(snapshotOf({ orbisManaged: OWNED, files: { '/etc/nginx/nginx.conf': ORBIS_NGINX } }), { inUse: ['/home/pi/OrbisAlternis/img/logo.png'] });
    const script = buildRemovalScript(plan, new Date('2025-06-01T10:20:30.456Z'));
    expect(() => execFileSync('bash', ['-n'], { input: script })).not.toThrow();
    expect(archiveName(new Date('2025-06-01T10:20:30.456Z'))).toBe('upstream-20250601T102030Z.tar.gz');
    expect(archiveName(new Date('2025-01-02T03:04:05Z'))).toBe('upstream-20250102T030405Z.tar.gz');
  });

  it("reads the script's report", () => {
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    expect(parseRemovalOutput(`ARCHIVE\t${b64('/var/lib/orbis/upstream-backup/a.tar.gz')}\t3152\nREMOVED\t${b64('/etc/x y')}\nDISABLED\tstunnel4.service\n`)).toEqual({
      archive: { path: '/var/lib/orbis/upstream-backup/a.tar.gz', bytes: 3152 },
      removed: ['/etc/x y'],
      disabled: ['stunnel4.service'],
      restored: false,
    });
    expect(parseRemovalOutput('RESTORED\n').restored).toBe(true);
  });
});

describe('remove-old report', () => {
  const plan = removalPlan(snapshotOf({ orbisManaged: OWNED, files: { '/etc/nginx/nginx.conf': ORBIS_NGINX } }), { inUse: [] });

  it('says why nothing was removed: the failed checks and what would have gone', () => {
    const report = removeOldReport({ host: 'salon', target: 'pi@h', status: 'refused', plan, verify: [{ name: 'unit.orbis', status: 'fail', value: 'inactive', hint: 'start it' }, { name: 'clock', status: 'warn' }], roundTrips: 3 });
    expect(formatRemoveOldReport(report)).toBe([
      '== salon (pi@h): nothing was removed',
      '  the orbis-managed stack does not verify (1 check failed):',
      '    FAIL unit.orbis: inactive (hint: start it)',
      '  fix that first (`orbis verify`, `orbis provision`), then run --remove-old again',
      '  would remove:',
      '    /home/pi/OrbisAlternis',
      '    /etc/nginx/orbis-rtmp-block.conf',
      '    /etc/nginx/sites-enabled/orbis-stats.conf',
      '    /etc/stunnel/stunnel.conf',
      '',
    ].join('\n'));
  });

  it('gives the archive and the command that restores it', () => {
    const report = removeOldReport({ host: 'salon', target: 'pi@h', status: 'removed', plan, verify: [], outcome: { archive: { path: '/var/lib/orbis/upstream-backup/a.tar.gz', bytes: 10 }, removed: ['/etc/x'], disabled: ['stunnel4.service'], restored: false }, roundTrips: 3 });
    expect(report.archive?.restore).toBe('sudo tar --extract --gzip --preserve-permissions --file /var/lib/orbis/upstream-backup/a.tar.gz -C /');
    expect(formatRemoveOldReport(report)).toContain('  disabled: stunnel4.service\n');
  });
});
