// The real apply script, run by bash in a temporary tree (the state directory moved into it), with
// a fake systemctl that logs its calls and keeps which units are active, and a fake apt-get.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApplyScript, type ScriptOptions } from '../../../src/engine/apply-script.js';
import { parseEvents, type ApplyEvents } from '../../../src/engine/apply.js';
import type { Plan } from '../../../src/engine/plan.js';
import type { Action, Change } from '../../../src/resources/types.js';

const FAKE_SYSTEMCTL = `#!/bin/bash
# Logs each call; is-active answers from $SANDBOX/active (one unit a line); start/restart add to it.
# PartOf= as systemd has it: $SANDBOX/partof/<unit> names the unit it is part of; show -p PartOf and
# -p ConsistsOf (its inverse) answer from there, and a restart is propagated to the active units
# that are part of the restarted one (systemd: a try-restart of each, logged as a restart).
echo "$*" >> "$SANDBOX/systemctl.log"
for a; do unit=$a; done
active() { grep -qxF -- "$1" "$SANDBOX/active" 2>/dev/null; }
parts() { grep -lxF -- "$1" "$SANDBOX"/partof/* 2>/dev/null | xargs -r -n1 basename; }
case "$1" in
  is-active) active "$unit" ;;
  start|restart)
    active "$unit" || echo "$unit" >> "$SANDBOX/active"
    if [ "$1" = restart ]; then for p in $(parts "$unit"); do if active "$p"; then echo "restart $p" >> "$SANDBOX/systemctl.log"; fi; done; fi ;;
  show)
    case "$3" in
      PartOf) cat "$SANDBOX/partof/$unit" 2>/dev/null || echo ;;
      ConsistsOf) parts "$unit" | tr '\\n' ' '; echo ;;
      *) echo ;;
    esac ;;
  *) exit 0 ;;
esac
`;

/** apt-get that succeeds at once (the default). */
export const INSTANT_APT = '#!/bin/bash\nexit 0\n';

export interface SandboxRun extends ApplyEvents {
  /** systemctl start/restart calls, in order. */
  calls: string[];
  code: number;
  /** The sandbox directory of this run (the fakes write their logs there). */
  dir: string;
  /** The events file as the script wrote it. */
  eventsText: string;
}

export class ApplySandbox {
  readonly tmp = mkdtempSync(join(tmpdir(), 'orbis-apply-sandbox-'));
  private readonly state = join(this.tmp, 'state');
  private readonly bin = join(this.tmp, 'bin');
  private runs = 0;

  constructor() {
    mkdirSync(this.bin);
    this.fake('systemctl', FAKE_SYSTEMCTL);
    this.fake('apt-get', INSTANT_APT);
  }

  /** Replace a command on the script's PATH (it sees $SANDBOX, the run's directory). */
  fake(name: string, script: string): void {
    writeFileSync(join(this.bin, name), script);
    chmodSync(join(this.bin, name), 0o755);
  }

  /** A file in the sandbox, written by a change as the current user. */
  write(name: string): Action {
    return { op: 'write-file', path: join(this.tmp, name), content: `${name}\n`, mode: '0644', owner: String(process.getuid?.() ?? 0), group: String(process.getgid?.() ?? 0), backup: false, previousSha256: null };
  }

  /**
   * Run the apply script of `plan`: `active` units active before, `prepare` readies the run's
   * sandbox, `pauseAt` as a fault would ask (fault.ts).
   */
  apply(plan: Plan, options: { active?: string[]; prepare?: (sandbox: string) => void; pauseAt?: ScriptOptions['pauseAt'] } = {}): SandboxRun {
    const { active = [], prepare, pauseAt } = options;
    const id = `20260101T00000${++this.runs}-abcdef`;
    const sandbox = join(this.tmp, `run${this.runs}`);
    mkdirSync(sandbox);
    writeFileSync(join(sandbox, 'active'), active.map((u) => `${u}\n`).join(''));
    prepare?.(sandbox);
    const script = buildApplyScript(plan, { runId: id, holder: 'sandbox', lockWaitSec: 5, record: '{}', ...(pauseAt ? { pauseAt } : {}) }).split('/var/lib/orbis').join(this.state);
    const dir = join(this.state, 'runs', id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'run.sh'), script);
    let code = 0;
    try {
      // No pipes: the call returns when the script's bash exits, as its systemd unit ends then
      // (what it left running in the background would be killed with the unit).
      execFileSync('bash', [join(dir, 'run.sh'), dir], { env: { ...process.env, PATH: `${this.bin}:${process.env.PATH ?? ''}`, SANDBOX: sandbox }, stdio: 'ignore' });
    } catch (error) {
      code = (error as { status?: number }).status ?? -1;
    }
    const eventsText = readFileSync(join(dir, 'events'), 'utf8');
    const events = parseEvents(eventsText);
    const log = join(sandbox, 'systemctl.log');
    return { ...events, code, dir: sandbox, eventsText, calls: existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => /^(start|restart) /.test(l)) : [] };
  }

  remove(): void {
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

export const startUnit = (unit: string): Action => ({ op: 'systemctl', verb: 'start', unit });

export function sandboxChange(role: string, name: string, actions: Action[], notify: string[] = []): Change {
  return { id: { role, type: 'file', name }, summary: name, actions, notify };
}

/**
 * Run a run script (apply or rollback) as its transient unit would, with the state directory
 * /var/lib/orbis moved to `state`: written to state/runs/<id>/run.sh, run with that directory,
 * its events read back, the directory removed.
 */
export function runInState(state: string, id: string, script: string): ApplyEvents & { code: number } {
  const dir = join(state, 'runs', id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.sh'), script.split('/var/lib/orbis').join(state));
  let code = 0;
  try {
    execFileSync('bash', [join(dir, 'run.sh'), dir], { stdio: 'pipe' });
  } catch (error) {
    code = (error as { status: number }).status;
  }
  const events = parseEvents(readFileSync(join(dir, 'events'), 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  return { ...events, code };
}
