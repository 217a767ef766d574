import { describe, expect, it } from 'vitest';
import { planPrecondition } from '../../../src/resources/precondition.js';
import type { DesiredPrecondition } from '../../../src/resources/types.js';
import { context, hostFacts, id } from './fixtures.js';

const CHECK = 'grep -qx 1029 /var/lib/btfs/.btfs/orbis-chain-id';
const desired: DesiredPrecondition = {
  kind: 'precondition',
  id: id('precondition', 'chain id unchanged', 'btfs'),
  check: CHECK,
  message: 'the repo belongs to another chain',
};

describe('precondition', () => {
  it('holds: nothing to do', () => {
    expect(planPrecondition(desired, hostFacts({ guards: { [CHECK]: true } }), context())).toEqual([]);
  });

  it('fails: the host is refused with the message, and nothing is planned', () => {
    const [change] = planPrecondition(desired, hostFacts({ guards: { [CHECK]: false } }), context());
    expect(change?.error).toBe('the repo belongs to another chain');
    expect(change?.actions).toEqual([]);
  });

  it('not checked by the probe: refused rather than assumed', () => {
    const [change] = planPrecondition(desired, hostFacts(), context());
    expect(change?.error).toMatch(/was not checked/);
  });
});
