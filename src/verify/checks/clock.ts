// Clock: a Pi has no real-time clock, and TLS fails until its clock is right. Two sources:
// what the Pi says (timedatectl NTPSynchronized) and what it measures (its time against the
// controller's, taken when the script started). Measured right but not synchronised is a
// warning: right now it works, after a reboot without NTP it will not. A container (the lab)
// shares its host's kernel clock and cannot synchronise it itself: the hint says so.

import type { Observations } from '../parse/output.js';
import { CHECK, fail, pass, warn, type Outcome } from './outcome.js';

/** Beyond this offset from the controller's clock, the Pi's clock is wrong. */
export const MAX_SKEW_SEC = 10;

export interface ClockContext {
  /** Controller time (s) when the script was sent, and when its answer came back. */
  sentAt: number;
  answeredAt: number;
}

function skewOf(hostNow: number | undefined, ctx: ClockContext): number | undefined {
  if (hostNow === undefined || !Number.isFinite(hostNow)) return undefined;
  // The host read its clock between sending and answering: judge against the nearest bound.
  if (hostNow < ctx.sentAt) return hostNow - ctx.sentAt;
  if (hostNow > ctx.answeredAt) return hostNow - ctx.answeredAt;
  return 0;
}

export function clockCheck(o: Pick<Observations, 'now' | 'timedate' | 'virt'>, ctx: ClockContext): Outcome {
  const skew = skewOf(o.now, ctx);
  const props = o.timedate?.properties ?? {};
  const synced = props.NTPSynchronized === 'yes' || o.timedate?.syncFlag === true;
  const container = o.virt !== undefined && o.virt !== 'none' && ['systemd-nspawn', 'lxc', 'lxc-libvirt', 'docker', 'podman', 'openvz', 'rkt', 'wsl', 'proot', 'pouch'].includes(o.virt);
  const offset = skew === undefined ? 'offset unknown' : `${Math.abs(skew) < 0.05 ? 'within 0.1 s of' : `${skew > 0 ? '+' : ''}${skew.toFixed(1)} s from`} the controller's clock`;
  if (skew !== undefined && Math.abs(skew) > MAX_SKEW_SEC) {
    return fail(
      CHECK.clock,
      `${offset}; ${synced ? 'NTP says synchronised' : 'not NTP-synchronised'}`,
      synced
        ? 'the Pi and this machine disagree: check which clock is wrong (`date -u` on both); TLS to Kick and certificate checks depend on the Pi\'s'
        : 'the Pi\'s clock is wrong and nothing corrects it: enable time sync (`timedatectl set-ntp true`, systemd-timesyncd) and let it reach an NTP server; TLS to Kick fails until then',
    );
  }
  if (synced) return pass(CHECK.clock, `NTP-synchronised, ${offset}`);
  if (container) {
    return warn(
      CHECK.clock,
      `not NTP-synchronised (${o.virt} container: its clock is the host kernel's), ${offset}`,
      'a container cannot synchronise its clock: synchronise the machine it runs on (NTP there); on a real Pi this check needs systemd-timesyncd',
    );
  }
  const service = props.NTP === 'yes' ? 'time sync is on but has not synchronised yet' : 'time sync is off';
  return warn(
    CHECK.clock,
    `not NTP-synchronised (${service}), ${offset}`,
    'a Pi has no real-time clock: without NTP its clock is wrong after every reboot and TLS to Kick fails; `timedatectl set-ntp true` and check that the Pi reaches an NTP server (`timedatectl timesync-status`)',
  );
}
