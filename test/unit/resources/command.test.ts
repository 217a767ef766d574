import { describe, expect, it } from 'vitest';
import { planCommand } from '../../../src/resources/command.js';
import type { Change, DesiredCommand, PlanContext } from '../../../src/resources/types.js';
import type { HostFacts } from '../../../src/facts/types.js';
import { ABSENT, context, dirFact, hostFacts, id } from './fixtures.js';

function command(extra: Partial<DesiredCommand> = {}): DesiredCommand {
  return { kind: 'command', id: id('command', 'btfs init'), command: 'btfs init', ...extra };
}

describe('command', () => {
  it.each<[string, DesiredCommand, Partial<HostFacts>, PlanContext]>([
    ['`creates` exists', command({ creates: '/var/lib/btfs/.btfs' }), { paths: { '/var/lib/btfs/.btfs': dirFact() } }, context()],
    ['`creates` is created by an earlier step', command({ creates: '/var/lib/btfs/.btfs' }), {}, context({ pathsToCreate: ['/var/lib/btfs/.btfs'] })],
    ['`unless` guard passed', command({ unless: 'test -f /var/lib/btfs/.btfs/config' }), { guards: { 'test -f /var/lib/btfs/.btfs/config': true } }, context()],
  ])('skipped: %s', (_name, desired, facts, ctx) => {
    expect(planCommand(desired, hostFacts(facts), ctx)).toEqual([]);
  });

  it.each<[string, DesiredCommand, Partial<HostFacts>, Partial<Change>]>([
    ['no guard', command(), {}, { summary: 'run: btfs init', actions: [{ op: 'command', command: 'btfs init' }] }],
    [
      '`creates` missing',
      command({ creates: '/var/lib/btfs/.btfs', user: 'pi' }),
      { paths: { '/var/lib/btfs/.btfs': ABSENT } },
      { summary: 'run as pi: btfs init', actions: [{ op: 'command', command: 'btfs init', user: 'pi', creates: '/var/lib/btfs/.btfs' }] },
    ],
    [
      // Carried in the action: an earlier step (a download) may make it pass by apply time.
      '`unless` guard failed',
      command({ unless: 'btfs version' }),
      { guards: { 'btfs version': false } },
      { actions: [{ op: 'command', command: 'btfs init', unless: 'btfs version' }] },
    ],
    [
      '`unless` guard the probe did not run',
      command({ unless: 'btfs version' }),
      {},
      { assumptions: ['assumes guard `btfs version` fails (the facts probe did not run it)'] },
    ],
    [
      'a long multi-line script is summarised by its first line',
      command({ command: `set -e\n${'x'.repeat(100)}` }),
      {},
      { summary: 'run: set -e ...' },
    ],
  ])('runs: %s', (_name, desired, facts, expected) => {
    const changes = planCommand(desired, hostFacts(facts), context());
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ id: desired.id, ...expected });
  });

  it('a secret is masked before the summary is shortened, so no piece of it shows', () => {
    const key = 'k'.repeat(40) + 'SECRET';
    const [change] = planCommand(command({ command: `echo ${'a'.repeat(50)} ${key}`, secretValues: [key] }), hostFacts(), context());
    expect(change?.summary).not.toMatch(/kkkk/);
    expect(change?.actions[0]).toMatchObject({ command: expect.stringContaining(key) });
  });

  it('as a user nothing creates: cannot be planned', () => {
    expect(planCommand(command({ user: 'btfs' }), hostFacts(), context())[0]?.error).toContain('user btfs does not exist');
  });
});
