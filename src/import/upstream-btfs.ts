// What upstream Orbis's hand-written /etc/systemd/system/btfs.service says: which login user ran
// the daemon (its repo, ~user/.btfs, holds the node's identity) and on which chain. The chain
// id there is what the repo was initialised with, whatever orbis.conf's BTFS_CHAINE_ID says.
import type { Found } from './types.js';

export interface BtfsUnit {
  user?: Found<string>;
  execStart?: Found<string>;
  chainId?: Found<string>;
  /** Environment=BTFS_PATH=... when the unit names the repo. */
  repo?: Found<string>;
}

/** `--chain-id 199` / `--chain-id=199` in a command line. */
export function chainIdIn(command: string): string | undefined {
  return /--chain-id(?:=|\s+)(\d+)\b/.exec(command)?.[1];
}

export function readBtfsUnit(text: string): BtfsUnit {
  const unit: BtfsUnit = {};
  let section = '';
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      section = header[1] ?? '';
      return;
    }
    if (section !== 'Service') return;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) return;
    const key = trimmed.slice(0, eq).trim();
    const value = trimmed.slice(eq + 1).trim();
    const at = { line: index + 1, col: line.indexOf(trimmed) + 1 };
    if (key === 'User') unit.user = { value, ...at };
    if (key === 'ExecStart' && value !== '') {
      unit.execStart = { value, ...at };
      const chain = chainIdIn(value);
      if (chain !== undefined) unit.chainId = { value: chain, line: at.line, col: line.indexOf('--chain-id') + 1 };
    }
    if (key === 'Environment') {
      const m = /(?:^|\s)"?BTFS_PATH=([^\s"]+)/.exec(value);
      if (m?.[1]) unit.repo = { value: m[1], ...at };
    }
  });
  return unit;
}
