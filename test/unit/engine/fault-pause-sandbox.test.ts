// A fault (ORBIS_FAULT, fault.ts) makes the apply script pause at one exact event line, so that a
// kill or a cut lands there. The real script in the sandbox: it pauses at the point asked for,
// whether the line carries the step's time or not, and nowhere else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultStep, parseFault, pauseEvent } from '../../../src/engine/fault.js';
import type { Plan } from '../../../src/engine/plan.js';
import { ApplySandbox, sandboxChange } from './apply-sandbox.js';

const PAUSE_S = 2;
let sandbox: ApplySandbox;
let files = 0;

function plan(): Plan {
  const changes = ['a.conf', 'b.conf'].map((name) => sandboxChange('nginx-rtmp', name, [sandbox.write(`${name}.${++files}`)]));
  return { changes, handlers: [], pendingFromEarlier: [], manifest: {}, empty: false };
}

/** Milliseconds the run took with a pause at `fault` (a fault spec naming the step). */
function timed(spec: string, seconds = PAUSE_S): { ms: number; eventsText: string } {
  const p = plan();
  const fault = parseFault(spec);
  if (!fault) throw new Error(`not a fault: ${spec}`);
  const step = faultStep(fault, p) ?? spec.split(':').pop() ?? '';
  const started = performance.now();
  const run = sandbox.apply(p, { pauseAt: { event: pauseEvent(fault, step), seconds } });
  expect(run.done).toBe(true);
  return { ms: performance.now() - started, eventsText: run.eventsText };
}

describe('the pause a fault asks for', () => {
  beforeAll(() => {
    sandbox = new ApplySandbox();
  });
  afterAll(() => sandbox.remove());

  it('at the end of a step (its OK line carries the time)', () => {
    const run = timed('kill@ok:record');
    expect(run.eventsText).toMatch(/^OK\trecord\t[0-9.]+$/m);
    expect(run.ms).toBeGreaterThanOrEqual(PAUSE_S * 1000);
  });

  it('at the start of a step', () => {
    expect(timed('kill@begin:record').ms).toBeGreaterThanOrEqual(PAUSE_S * 1000);
  });

  it('not at any other line', () => {
    // A pause far longer than the run: a busy machine (CI beside a lab) slows the run past a
    // 2 s bound, never past 30 s, so this fails only when the script pauses.
    expect(timed('kill@ok:nosuchstep', 30).ms).toBeLessThan(30_000);
  });
});
