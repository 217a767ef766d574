// A service's folder and user are checked against a policy before any host is touched: a typo
// away from /etc or root would have been applied (issue #19, item 3).
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/errors.js';
import { loadSettings } from '../../../src/config/load.js';
import { systemPathProblem } from '../../../src/config/service-policy.js';
import { configErrorOf } from './helpers.js';

const FILE = 'conf/orbis.conf';
const errorsOf = (confText: string) => configErrorOf(() => loadSettings({ confPath: FILE, confText, env: {} })).issues.map(formatIssue);

describe("a service's folder", () => {
  it.each(['/', '/etc', '/etc/btfs', '/var', '/var/lib', '/usr', '/usr/bin/btfs', '/home', '/home/pi', '/root', '/tmp/btfs', '/boot/firmware', '/run/btfs', '/var/log'])('refuses %s', (path) => {
    expect(systemPathProblem(path)).toBeDefined();
  });

  it.each(['/var/lib/btfs/.btfs', '/var/lib/btfs', '/srv/btfs', '/home/pi/btfs', '/usr/local/btfs', '/data/btfs', '/mnt/usb/btfs', '/opt/btfs'])('accepts %s', (path) => {
    expect(systemPathProblem(path)).toBeUndefined();
  });

  it('says where the value was written, what is wrong and what to give instead', () => {
    expect(errorsOf('BTFS_REPERTOIRE_REPO=/etc\n')).toEqual([
      'conf/orbis.conf:1:22: BTFS_REPERTOIRE_REPO: must be an absolute path (starting with /) of letters, digits and . _ - + @ /, a folder of its own (not a system folder such as /etc or /var/lib): /etc is a system folder, and orbis would make it the service\'s (owner, mode 0700) (hint: give the service a folder of its own, e.g. /var/lib/btfs/.btfs (the default))',
    ]);
    // The path's own rules still come first.
    expect(errorsOf('BTFS_REPERTOIRE_REPO=relative/path\n')[0]).toContain('(hint: start it with /)');
  });
});

describe("a service's user", () => {
  it.each(['root', 'www-data', 'nobody', 'sshd', 'orbis', 'stunnel4'])('refuses %s', (user) => {
    const [error] = errorsOf(`BTFS_UTILISATEUR=${user}\n`);
    expect(error).toMatch(/^conf\/orbis\.conf:1:18: BTFS_UTILISATEUR: must be .*an account of its own \(not root nor another service's\)/);
    expect(error).toContain('(hint: give the service a user of its own, e.g. btfs (the default))');
  });

  it.each(['btfs', 'btfs2', '_btfs', 'gateway'])('accepts %s', (user) => {
    expect(loadSettings({ confPath: FILE, confText: `BTFS_UTILISATEUR=${user}\n`, env: {} }).settings.BTFS_UTILISATEUR).toBe(user);
  });
});
