// The questions of `orbis init` on a terminal, with a scripted asker: only what the flags left
// open is asked, answers are checked and asked again with the reason, keys are asked hidden.
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/redact/secret.js';
import { askAnswers, type Asker, type Given } from '../../../src/init/questions.js';
import { parseTarget } from '../../../src/transport/ssh-config.js';

function scripted(answers: string[]) {
  const asked: Array<{ kind: 'line' | 'hidden'; question: string }> = [];
  const said: string[] = [];
  const next = () => {
    const answer = answers.shift();
    if (answer === undefined) throw new Error(`no scripted answer left for: ${asked[asked.length - 1]?.question ?? ''}`);
    return answer;
  };
  const asker: Asker = {
    line: async (question, fallback) => {
      asked.push({ kind: 'line', question });
      const a = next();
      return a === '' ? fallback : a;
    },
    hidden: async (question) => {
      asked.push({ kind: 'hidden', question });
      return new Secret(next(), 'test');
    },
    say: (text) => said.push(text),
  };
  return { asker, asked, said };
}

const nothing: Given = { keys: {}, keyEnv: {} };

describe('orbis init questions', () => {
  it('asks everything, keys hidden, with the defaults on Enter', async () => {
    const { asker, asked } = scripted(['', 'dliveKEY', 'sk_kickKEY', '', '', '']);
    const answers = await askAnswers(nothing, asker);
    expect(asked.map((a) => a.kind)).toEqual(['line', 'hidden', 'hidden', 'line', 'line', 'line']);
    expect(asked[1]?.question).toMatch(/^DLive stream key \(from dlive\.tv > Settings > Stream dashboard; hidden as you type/);
    expect(answers).toMatchObject({ platforms: 'toutes', store: 'conf', target: { user: 'pi', host: 'raspberrypi.local' }, name: 'raspberrypi' });
    expect([answers.keys.dlive?.reveal(), answers.keys.kick?.reveal()]).toEqual(['dliveKEY', 'sk_kickKEY']);
  });

  it('asks again after a wrong answer, saying why (never the key)', async () => {
    const { asker, said } = scripted(['twitch', 'dlive', 'bad key!', 'goodKEY', '2', 'nobody@', 'pi@10.1.2.3', 'all', 'atelier']);
    const answers = await askAnswers(nothing, asker);
    expect(answers).toMatchObject({ platforms: 'dlive', store: 'secrets', target: { host: '10.1.2.3' }, name: 'atelier' });
    expect(answers.keys.kick).toBeUndefined();
    expect(said.join('\n')).toContain('"twitch" is not one of dlive, kick, toutes');
    expect(said.join('\n')).toContain('DLIVE_CLE_FLUX: character 4 of the key is whitespace');
    expect(said.join('\n')).not.toContain('bad key');
    expect(said.join('\n')).toMatch(/bad SSH target "nobody@"/);
    expect(said.join('\n')).toMatch(/"all" cannot name an inventory host/);
  });

  it('gives up after three wrong answers with the last reason', async () => {
    const { asker } = scripted(['a', 'b', 'c']);
    await expect(askAnswers(nothing, asker)).rejects.toThrow(/"c" is not one of dlive, kick, toutes/);
  });

  it('asks only what the flags left open; no key typed: no store question', async () => {
    const { asker, asked, said } = scripted(['', 'salon']);
    const answers = await askAnswers({ ...nothing, platforms: 'kick', target: parseTarget('pi@salon.local') }, asker);
    expect(asked.map((a) => a.question.split(' (')[0])).toEqual(['Kick stream key', 'Its name in the inventory']);
    expect(answers).toMatchObject({ platforms: 'kick', store: 'conf', name: 'salon' });
    expect(said.join('\n')).toContain('no Kick key for now');
  });

  it('a key given by a flag is not asked again', async () => {
    const { asker, asked } = scripted(['1', 'pi@a.local', 'a']);
    await askAnswers({ ...nothing, platforms: 'toutes', keys: { dlive: new Secret('d1') }, keyEnv: { kick: 'KICK_VAR' } }, asker);
    expect(asked.map((a) => a.kind)).toEqual(['line', 'line', 'line']);
  });
});
