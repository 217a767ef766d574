// Gather facts over a transport: the probe script goes on stdin of one `bash -s` under sudo.
import { hostStderrTail } from '../redact/secret-mask.js';
import type { HostFacts } from './types.js';
import type { Transport } from '../transport/types.js';
import { buildProbeScript, parseFacts, type ProbeSpec } from './probe.js';

export class FactsError extends Error {
  constructor(
    readonly host: string,
    message: string,
    readonly hint: string,
  ) {
    super(`${host}: ${message} (hint: ${hint})`);
    this.name = 'FactsError';
  }
}

export async function gatherFacts(transport: Transport, spec: ProbeSpec): Promise<HostFacts> {
  const result = await transport.exec('bash -s', { sudo: true, stdin: buildProbeScript(spec), timeoutSec: 60, label: 'gather facts' });
  if (result.code !== 0) {
    throw new FactsError(
      transport.name,
      `gathering facts failed (exit ${result.code ?? result.signal ?? 'unknown'}): ${hostStderrTail(result.stderr)}`,
      'the host must run bash, coreutils and dpkg (Debian / Raspberry Pi OS)',
    );
  }
  const facts = parseFacts(result.stdout, spec);
  if (!facts.root) throw new FactsError(transport.name, 'facts were not gathered as root', 'orbis needs root or sudo on the host');
  return facts;
}

/** The parts of `wanted` that `asked` did not cover (the second probe, when there is one). */
export function missingFromSpec(asked: ProbeSpec, wanted: ProbeSpec): ProbeSpec | null {
  const diff = (a: string[], b: string[]): string[] => b.filter((x) => !a.includes(x));
  const missing: ProbeSpec = {
    packages: diff(asked.packages, wanted.packages),
    units: diff(asked.units, wanted.units),
    paths: diff(asked.paths, wanted.paths),
    users: diff(asked.users, wanted.users),
    groups: diff(asked.groups, wanted.groups),
    guards: diff(asked.guards, wanted.guards),
  };
  return Object.values(missing).some((xs: string[]) => xs.length > 0) ? missing : null;
}

/** Merge a second probe's answers into the first's. */
export function mergeFacts(base: HostFacts, extra: HostFacts): HostFacts {
  return {
    ...base,
    packages: { ...base.packages, ...extra.packages },
    units: { ...base.units, ...extra.units },
    paths: { ...base.paths, ...extra.paths },
    users: { ...base.users, ...extra.users },
    groups: { ...base.groups, ...extra.groups },
    guards: { ...base.guards, ...extra.guards },
    ...(base.guardsSaid || extra.guardsSaid ? { guardsSaid: { ...base.guardsSaid, ...extra.guardsSaid } } : {}),
  };
}
