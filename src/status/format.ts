// The fleet view: one row per Pi, then, under the table, what is wrong with each Pi that is not
// ok (causes first) and its last error from the journal. Values are masked already.
import { table } from '../report/recap.js';
import type { HostLive, PlatformLive, StatusReport } from './types.js';

const PLATFORMS = ['dlive', 'kick'] as const;

export function formatDuration(sec: number | undefined): string {
  if (sec === undefined) return '-';
  if (sec < 60) return `${sec}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m${String(sec % 60).padStart(2, '0')}s`;
  if (sec < 86400) return `${Math.floor(sec / 3600)}h${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(sec / 86400)}d${String(Math.floor((sec % 86400) / 3600)).padStart(2, '0')}h`;
}

function platformCell(host: HostLive, platform: (typeof PLATFORMS)[number]): string {
  if (host.status === 'unreachable' || host.status === 'auth-failed' || host.error) return '?';
  const p: PlatformLive | undefined = host.platforms.find((x) => x.platform === platform);
  if (!p) return host.stream ? 'off' : '?';
  if (p.state === 'connected') return `up ${formatDuration(p.connectedForSec)}`;
  return p.state === 'connecting' ? 'CONNECTING' : 'DOWN';
}

function streamCell(host: HostLive): string {
  if (host.status === 'unreachable') return 'UNREACHABLE';
  if (host.status === 'auth-failed') return 'LOGIN REFUSED';
  if (!host.stream) return '?';
  if (!host.stream.publishing) return 'DOWN';
  const up = `up ${formatDuration(host.stream.publishingForSec)}`;
  return host.stream.onAir === 'slate' ? `${up} SLATE` : up;
}

/** The BTFS daemon: its state, its memory, and its restarts when it had any. */
function btfsCell(host: HostLive): string {
  const b = host.btfs;
  if (!b) return '-';
  const state = b.state === 'waiting-for-funds' ? 'FUNDS?' : b.state === 'ready' ? 'ready' : b.state.toUpperCase();
  return [state, b.memoryMiB !== undefined ? `${b.memoryMiB}MiB` : '', b.restarts > 0 ? `${b.restarts}r` : ''].filter(Boolean).join(' ');
}

const num = (value: number | undefined, digits = 0): string => (value === undefined ? '-' : value.toFixed(digits));

export function formatStatusTable(report: StatusReport): string {
  const rows = [['HOST', 'STATUS', 'STREAM', 'DLIVE', 'KICK', 'IN kb/s', 'OUT kb/s', 'FPS', 'SPEED', 'ROUND', 'UPTIME', 'RESTARTS', 'BTFS']];
  for (const h of report.hosts) {
    const s = h.stream;
    rows.push([
      h.name,
      h.status,
      streamCell(h),
      platformCell(h, 'dlive'),
      platformCell(h, 'kick'),
      num(s?.inKbps),
      num(s?.outKbps),
      num(s?.fps, 1),
      s?.speed === undefined ? '-' : `${s.speed.toFixed(2)}x`,
      s?.round === undefined ? '-' : String(s.round),
      formatDuration(h.uptimeSec),
      h.restarts === undefined ? '-' : String(h.restarts),
      btfsCell(h),
    ]);
  }
  const details: string[] = [];
  for (const h of report.hosts) {
    if (h.error) details.push(`${h.name}: ${h.error.message}${h.error.hint ? `\n  hint: ${h.error.hint}` : ''}`);
    if (h.status !== 'ok') for (const p of h.problems) details.push(`${h.name}: ${p}`);
    if (h.lastError && (h.status !== 'ok' || h.lastError.ageSec < 600)) {
      details.push(`${h.name}: last error ${formatDuration(h.lastError.ageSec)} ago (${h.lastError.unit}): ${h.lastError.message}`);
    }
  }
  const s = report.summary;
  const counts = (['ok', 'degraded', 'down', 'unreachable', 'auth-failed'] as const).filter((k) => s[k] > 0).map((k) => `${s[k]} ${k}`).join(', ');
  return [table(rows), '', `${s.hosts} host${s.hosts === 1 ? '' : 's'}: ${counts || 'none'}`, ...(details.length > 0 ? ['', ...details] : [])].join('\n') + '\n';
}
