// The access guard's Pi-side files (src/pi/access-guard-*.sh) and the scripts composed from them
// pass shellcheck; the rollback the arm script writes is the one composed for the guard, as data.
// (What they do on a host: test/unit/engine/access-guard.test.ts runs them for real.)
import { describe, expect, it } from 'vitest';
import { buildArmScript, buildConfirmScript, buildGuardRollbackScript, guardedPaths, restoreCommands, type GuardSpec } from '../../../src/engine/access-guard.js';
import type { Plan } from '../../../src/engine/plan.js';
import { shellcheckPiFile, shellcheckSent } from './shellcheck.js';

// The ssh role's plan, as a guarded run makes it: one drop-in, sshd reloaded.
const plan: Plan = {
  changes: [
    {
      id: { role: 'ssh', type: 'file', name: '/etc/ssh/sshd_config.d/01-orbis-hardening.conf' },
      summary: 'create',
      actions: [{ op: 'write-file', path: '/etc/ssh/sshd_config.d/01-orbis-hardening.conf', content: 'PasswordAuthentication no\n', mode: '0644', owner: 'root', group: 'root', backup: true, previousSha256: null }],
    },
  ],
  handlers: [{ name: 'reload ssh', role: 'ssh', unit: 'ssh.service', action: 'reload' }],
  pendingFromEarlier: [],
  manifest: {},
  empty: false,
};
const spec: GuardSpec = {
  runId: '20260101T000000-abcdef',
  deadlineSec: 120,
  paths: [...guardedPaths(plan), '/etc/systemd/system/x.service'],
  afterRestore: [...restoreCommands(plan.handlers), 'bash -c \'systemctl is-active --quiet ssh.service\''],
  what: 'the changes of role ssh',
};

describe('the access guard files', () => {
  it('are shellcheck-clean, each', () => {
    for (const file of ['access-guard-keep.sh', 'access-guard-arm.sh', 'access-guard-rollback.sh', 'access-guard-confirm.sh']) {
      expect(shellcheckPiFile(file), file).toBe('');
    }
  });

  it('compose shellcheck-clean scripts as sent: arm, the rollback it writes, confirm', () => {
    for (const script of [buildArmScript(spec), buildGuardRollbackScript(spec), buildConfirmScript(spec.runId)]) {
      expect(shellcheckSent(script)).toBe('');
    }
  });

  it('the arm script carries the rollback as data, not as code', () => {
    const arm = buildArmScript(spec);
    const b64 = /^ROLLBACK=(.*)$/m.exec(arm)?.[1] ?? '';
    expect(Buffer.from(b64, 'base64').toString('utf8')).toBe(buildGuardRollbackScript(spec));
    expect(arm).not.toContain('<<');
  });
});
