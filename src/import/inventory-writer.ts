// The imported Pi as an inventory file of one host (inventory/<name>.yaml): how to reach it, and,
// when the keys went to the encrypted secrets file, the references to them. Pure.
import { NAME_RE } from '../inventory/names.js';
import { SECRET_NAME_RE } from '../secrets/document.js';

export interface InventoryEntry {
  name: string;
  /** An address or host name; or an ~/.ssh/config alias (then `ssh:`). */
  address?: string;
  sshAlias?: string;
  user?: string;
  port?: number;
  key?: string;
  /** Setting -> secret name ({ secret: NAME }). */
  secretRefs: ReadonlyMap<string, string>;
}

/** A host name as an inventory name: the Pi's hostname, made to fit NAME_RE. */
export function inventoryName(hostname: string): string {
  const base = (hostname.split('.')[0] ?? '').replace(/[^A-Za-z0-9_-]/g, '-');
  if (NAME_RE.test(base)) return base;
  const tail = base.replace(/^[^A-Za-z0-9]+/, '');
  return tail === '' ? 'imported-pi' : `pi-${tail}`;
}

/** The secrets file's name for one of this host's keys: `salon_dlive`. */
export function secretName(hostName: string, platform: 'dlive' | 'kick'): string {
  const name = `${hostName.replace(/[^A-Za-z0-9_]/g, '_')}_${platform}`;
  return SECRET_NAME_RE.test(name) ? name : `pi_${name}`;
}

/** YAML text of a scalar: plain when it is a plain word YAML reads back as the same string. */
function yamlText(value: string): string {
  return /^[A-Za-z0-9_./@~-]+$/.test(value) && !/^(true|false|yes|no|on|off|null|~|[-+]?[0-9.]+)$/i.test(value) ? value : JSON.stringify(value);
}

export function renderInventory(entry: InventoryEntry, header: { from: string; date: Date; commands: readonly string[] }): string {
  const lines = [
    `# Imported by \`orbis import\` from ${header.from} on ${header.date.toISOString().slice(0, 10)}.`,
    '# The settings are in the conf file written beside it; per-host overrides go under vars.',
    ...header.commands.map((c) => `#   ${c}`),
    'hosts:',
    `  ${entry.name}:`,
  ];
  if (entry.sshAlias !== undefined) lines.push(`    ssh: ${yamlText(entry.sshAlias)}`);
  else if (entry.address !== undefined) lines.push(`    address: ${yamlText(entry.address)}`);
  if (entry.user !== undefined) lines.push(`    user: ${yamlText(entry.user)}`);
  if (entry.port !== undefined && entry.port !== 22) lines.push(`    port: ${entry.port}`);
  if (entry.key !== undefined) lines.push(`    key: ${yamlText(entry.key)}`);
  if (entry.secretRefs.size > 0) {
    lines.push('    vars:');
    for (const [setting, name] of entry.secretRefs) lines.push(`      ${setting}: { secret: ${name} }`);
  }
  return `${lines.join('\n')}\n`;
}
