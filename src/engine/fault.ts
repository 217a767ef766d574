// Faults caused on purpose, for the safety suite (test/e2e/safety-faults.test.ts): the SSH link
// cut, or the apply script killed on the Pi, at a named point of a run. Real faults, not mocks:
// the point is to prove on a real host that a run cut anywhere leaves every file whole, nginx on
// a validated configuration, and pending handlers recorded for the next run.
//
//   ORBIS_FAULT=<action>@<when>:<step>
//     action  cut   drop the TCP connection without a goodbye, as a pulled cable does
//             kill  SIGKILL the apply script on the Pi (a crash, an OOM kill), then cut
//             reboot  reboot the Pi there (the link drops as it goes down)
//     when    begin (the step started) | ok (the step finished)
//     step    an apply step: apt, validate:<role>, handlers, record, or file:<path> for the
//             step that writes that path
//
// The point is exact: the apply script itself pauses right after writing the event of the point
// (see ScriptOptions.pauseAt), long enough for the controller, which sees the event live, to kill
// it or cut the link there. Read from the environment at one place (runHost).

import type { StepEvent } from './apply.js';
import type { Plan } from './plan.js';

export interface FaultPoint {
  action: 'cut' | 'kill' | 'reboot';
  when: StepEvent['kind'];
  step: string;
}

export function parseFault(spec: string | undefined): FaultPoint | undefined {
  if (spec === undefined || spec.trim() === '') return undefined;
  const match = /^(cut|kill|reboot)@(begin|ok):(.+)$/.exec(spec.trim());
  if (!match) throw new Error(`ORBIS_FAULT=${spec}: expected <cut|kill|reboot>@<begin|ok>:<step>, e.g. kill@ok:validate:nginx-rtmp`);
  return { action: match[1] as FaultPoint['action'], when: match[2] as FaultPoint['when'], step: match[3] as string };
}

/** The apply step a fault names, for this plan (file:<path> names the step that writes that path). */
export function faultStep(fault: FaultPoint, plan: Plan): string | undefined {
  if (!fault.step.startsWith('file:')) return fault.step;
  const index = plan.changes.findIndex((c) => c.id.type === 'file' && c.id.name === fault.step.slice('file:'.length));
  return index >= 0 ? String(index) : undefined;
}

/** The events-file line at which the script pauses for the fault, e.g. `OK\t3`. */
export function pauseEvent(fault: FaultPoint, step: string): string {
  return `${fault.when === 'begin' ? 'BEGIN' : 'OK'}\t${step}`;
}

/** How long the script waits at the point: a kill lands within it; a cut link lets the run go on after it. */
export function pauseSeconds(fault: FaultPoint): number {
  return fault.action === 'cut' ? 3 : 60;
}

export function isFaultPoint(fault: FaultPoint, event: StepEvent, step: string): boolean {
  return event.kind === fault.when && event.step === step;
}
