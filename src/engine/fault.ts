// Faults caused on purpose, for the safety suite (test/e2e/safety-faults.test.ts): the SSH link
// cut, or the apply script killed on the Pi, at a named point of a run. Real faults, not mocks:
// the point is to prove on a real host that a run cut anywhere leaves every file whole, nginx on
// a validated configuration, and pending handlers recorded for the next run.
//
//   ORBIS_FAULT=<action>@<when>:<step>
//     action  cut   drop the TCP connection without a goodbye, as a pulled cable does
//             kill  SIGKILL the apply script on the Pi (a crash, an OOM kill), then cut
//     when    begin (the step started) | ok (the step finished)
//     step    an apply step: apt, validate:<role>, handlers, record, or file:<path> for the
//             step that writes that path
//
// Read from the environment at one place (runHost) so that nothing else knows about it.
import type { StepEvent } from './apply.js';
import type { Plan } from './plan.js';

export interface FaultPoint {
  action: 'cut' | 'kill';
  when: StepEvent['kind'];
  step: string;
}

export function parseFault(spec: string | undefined): FaultPoint | undefined {
  if (spec === undefined || spec.trim() === '') return undefined;
  const match = /^(cut|kill)@(begin|ok):(.+)$/.exec(spec.trim());
  if (!match) throw new Error(`ORBIS_FAULT=${spec}: expected <cut|kill>@<begin|ok>:<step>, e.g. kill@ok:validate:nginx-rtmp`);
  return { action: match[1] as FaultPoint['action'], when: match[2] as FaultPoint['when'], step: match[3] as string };
}

/** Whether a live step event is the fault's point, for this plan (file:<path> names a step by what it writes). */
export function isFaultPoint(fault: FaultPoint, event: StepEvent, plan: Plan): boolean {
  if (event.kind !== fault.when) return false;
  if (!fault.step.startsWith('file:')) return event.step === fault.step;
  const index = plan.changes.findIndex((c) => c.id.type === 'file' && c.id.name === fault.step.slice('file:'.length));
  return index >= 0 && event.step === String(index);
}
