// A pinning plan in words (`orbis btfs pin`, `orbis init`) and as JSON.
import type { ConfLineChange, ConfValue } from './conf-lines.js';
import { FORMAT_TEXT } from './inspect.js';
import type { ArchPin, PinPlan } from './pin.js';

export function sizeText(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${bytes} bytes`;
}

function redirected(pin: ArchPin): string {
  const final = pin.download?.finalUrl;
  if (!final || final === pin.url) return '';
  try {
    return ` (served by ${new URL(final).host})`;
  } catch {
    return '';
  }
}

/** The lines about one architecture's release: what was downloaded and what it proved. */
export function archLines(pin: ArchPin, version: string): string[] {
  const lines = [`BTFS ${version} for ${pin.arch}: ${pin.url}`];
  const { download, check } = pin;
  if (download) {
    const members = check && check.members.length > 0 ? `: ${check.members.join(', ')}` : '';
    lines.push(`  ${check ? FORMAT_TEXT[check.format] : 'a file'} of ${sizeText(download.size)}${members}${redirected(pin)}`);
    lines.push(`  sha256   ${download.sha256}`);
  }
  if (check) {
    const yaml = check.yaml?.member;
    if (check.md5 === 'match' && check.binary) lines.push(`  md5      ${check.binary.md5} (${check.binary.member ?? 'the executable'}), as ${yaml} says`);
    if (check.version === 'match') lines.push(`  version  ${version}, as ${yaml} says`);
    if (check.binary?.elfArch !== undefined) lines.push(`  binary   ELF ${check.binary.elfArch}`);
    for (const note of check.notes) lines.push(`  note: ${note}`);
  }
  switch (pin.status) {
    case 'unchanged':
      lines.push(`  pinned   already, the same (${pin.pinned?.at})`);
      break;
    case 'replace':
      lines.push(`  pinned   ${pin.pinned?.sha256} at ${pin.pinned?.at}: replaced (--replace)`);
      break;
    default:
      break;
  }
  if (pin.problem) lines.push(`  ${pin.download ? 'REFUSED' : 'FAILED'}: ${pin.problem.message}`, `  hint: ${pin.problem.hint}`);
  return lines;
}

/** What writing changes, as lines of the conf file (before or after the fact). */
export function writeLines(plan: PinPlan, writes: readonly ConfValue[], changes?: readonly ConfLineChange[]): string[] {
  return writes.map((w) => {
    const change = changes?.find((c) => c.key === w.key);
    const where = change ? `${plan.conf}:${change.line}` : plan.conf;
    return `  ${where}: ${w.key}="${w.value}"${change?.added ? ' (new line)' : ''}`;
  });
}

export function planText(plan: PinPlan): string[] {
  return [...plan.arches.flatMap((pin) => archLines(pin, plan.version)), ...plan.notes.map((n) => `note: ${n}`)];
}

/** The JSON form: everything but the conf's text (it may hold stream keys). */
export function planJson(plan: PinPlan, written: boolean, changes: readonly ConfLineChange[] = []): object {
  return {
    conf: plan.conf,
    version: plan.version,
    urlTemplate: plan.template,
    ok: plan.ok,
    written,
    arches: plan.arches.map((pin) => ({
      arch: pin.arch,
      setting: pin.setting,
      url: pin.url,
      status: pin.status,
      ...(pin.download ? { size: pin.download.size, sha256: pin.download.sha256, finalUrl: pin.download.finalUrl } : {}),
      ...(pin.check
        ? {
            format: pin.check.format,
            members: pin.check.members,
            md5: pin.check.md5 === 'match' ? { status: 'match', value: pin.check.binary?.md5, member: pin.check.binary?.member, yaml: pin.check.yaml?.member } : { status: 'absent' },
            versionCheck: pin.check.version,
            ...(pin.check.binary?.elfArch !== undefined ? { elfArch: pin.check.binary.elfArch } : {}),
            notes: pin.check.notes,
          }
        : {}),
      ...(pin.pinned ? { pinned: pin.pinned } : {}),
      ...(pin.problem ? { problem: pin.problem } : {}),
    })),
    writes: plan.writes.map((w) => {
      const change = changes.find((c) => c.key === w.key);
      return { variable: w.key, value: w.value, ...(change ? { line: change.line, added: change.added } : {}) };
    }),
    notes: plan.notes,
  };
}
