// The import's two remote steps over an open transport: the probe (one round trip, read only)
// and the removal script of --remove-old. Both run as root with the script on stdin; what they
// print can hold stream keys (file contents), so only their stderr's last lines reach an error.
import { FactsError } from '../facts/gather.js';
import type { Transport } from '../transport/types.js';
import { buildImportScript, parseImportOutput, type ImportProbeOptions } from './probe.js';
import { buildRemovalScript, parseRemovalOutput, type RemovalOutcome, type RemovalPlan } from './remove-old.js';
import type { UpstreamSnapshot } from './types.js';

function tail(stderr: string): string {
  return stderr.trim().split('\n').slice(-3).join(' / ');
}

export async function probeUpstream(transport: Transport, options: ImportProbeOptions = {}): Promise<UpstreamSnapshot> {
  const result = await transport.exec('bash -s', { sudo: true, stdin: buildImportScript(options), timeoutSec: 120, label: 'read the upstream Orbis install' });
  if (result.code !== 0 || result.timedOut) {
    throw new FactsError(
      transport.name,
      `reading the upstream install failed (exit ${result.code ?? result.signal ?? 'unknown'}): ${tail(result.stderr)}`,
      'the Pi must run bash, coreutils and systemd (Raspberry Pi OS / Debian)',
    );
  }
  const snapshot = parseImportOutput(result.stdout);
  if (!snapshot.root) throw new FactsError(transport.name, 'the upstream install was not read as root', 'orbis needs root or sudo on the Pi');
  return snapshot;
}

export async function runRemoval(transport: Transport, plan: RemovalPlan, date: Date): Promise<RemovalOutcome & { code: number | null; error?: string }> {
  const result = await transport.exec('bash -s', { sudo: true, stdin: buildRemovalScript(plan, date), timeoutSec: 300, label: "back up and remove upstream's files" });
  const outcome = parseRemovalOutput(result.stdout);
  if (result.code === 0) return { ...outcome, code: 0 };
  return { ...outcome, code: result.code, error: outcome.restored ? 'nginx refused its configuration after the removal: everything was put back from the archive' : `the removal stopped (exit ${result.code ?? result.signal ?? 'unknown'}): ${tail(result.stderr)}` };
}
