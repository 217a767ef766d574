import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/errors.js';
import { decryptSecrets, editSecrets } from '../../../src/secrets/index.js';
import { configErrorOfAsync, DLIVE_KEY, expectNoneOf, KICK_KEY, rejectionOf, secretsFileHolding } from './helpers.js';

const PLAIN = `salon_dlive: ${DLIVE_KEY}\n`;

/**
 * A secrets file, and an "editor": a script that records the file it was given and the modes of
 * that file and its directory, then runs `action` on it ($1) and exits with `exit`.
 */
async function setup(action: string, exit = 0) {
  const { dir, places } = await secretsFileHolding(PLAIN);
  const record = join(dir, 'editor-saw');
  const editor = join(dir, 'editor.sh');
  writeFileSync(editor, `#!/bin/sh\n{ echo "$1"; stat -c %a "$(dirname "$1")"; stat -c %a "$1"; } >> '${record}'\n${action}\nexit ${exit}\n`, { mode: 0o755 });
  const tmpRoot = join(dir, 'tmp');
  mkdirSync(tmpRoot);
  const options = { ...places, tmpRoot, env: { ...places.env, EDITOR: editor, PATH: process.env['PATH'] } };
  const saw = () => {
    const [file, dirMode, fileMode] = readFileSync(record, 'utf8').split('\n');
    return { file: file ?? '', dirMode, fileMode };
  };
  const clear = async () => (await decryptSecrets({ ...places, reveal: true })).stdout;
  return { dir, places, options, saw, clear, tmpRoot, before: readFileSync(places.file, 'utf8') };
}

describe('orbis secrets edit', () => {
  it('hands the editor a 0600 file in a 0700 directory, re-encrypts what it saved, removes the clear copy', async () => {
    const t = await setup(`printf 'cuisine_kick: %s\\n' '${KICK_KEY}' >> "$1"`);
    const result = await editSecrets(t.options);
    expect(result).toMatchObject({ changed: true, names: ['salon_dlive', 'cuisine_kick'], warnings: [] });
    expect(t.saw()).toMatchObject({ dirMode: '700', fileMode: '600' });
    expect(t.saw().file.startsWith(t.tmpRoot)).toBe(true);
    expect(existsSync(t.saw().file)).toBe(false);
    expect(readdirSync(t.tmpRoot)).toEqual([]);
    expect(await t.clear()).toBe(`${PLAIN}cuisine_kick: ${KICK_KEY}\n`);
    expect(readFileSync(t.places.file, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n/);
    // Nothing left beside the secrets file (the atomic write's temp file is renamed away).
    expect(readdirSync(join(t.dir, 'conf')).sort()).toEqual(['secrets.age', 'secrets.recipients']);
  });

  it('an editor that fails: nothing written, the clear copy removed', async () => {
    const t = await setup(`printf 'x: y\\n' >> "$1"`, 3);
    const error = await rejectionOf(editSecrets(t.options));
    expect(error.message).toMatch(/the editor \(.*editor\.sh\) exited with code 3; .*secrets\.age is unchanged/);
    expect(existsSync(t.saw().file)).toBe(false);
    expect(readdirSync(t.tmpRoot)).toEqual([]);
    expect(readFileSync(t.places.file, 'utf8')).toBe(t.before);
  });

  it('invalid text: every problem at its line:col, no value shown, nothing written', async () => {
    const t = await setup(`printf 'bad-name: %s\\nempty:\\nsalon_dlive: x\\n' '${KICK_KEY}' >> "$1"`);
    const reported: string[] = [];
    const error = await configErrorOfAsync(editSecrets({ ...t.options, report: (issues) => reported.push(...issues.map(formatIssue)) }));
    expect(error.issues.map((i) => `${i.line}:${i.col}`)).toEqual(['2:1', '3:7', '4:1']);
    expect(error.message).toMatch(/secrets\.age \(being edited\):4:1: salon_dlive: is set twice \(first at line 1\)/);
    expect(error.message).toMatch(/nothing was changed/);
    expectNoneOf(error.message + reported.join('\n') + error.stack, [DLIVE_KEY, KICK_KEY]);
    expect(readFileSync(t.places.file, 'utf8')).toBe(t.before);
    expect(readdirSync(t.tmpRoot)).toEqual([]);
  });

  it('invalid text and the user chooses to edit again: the same file reopens, fixed, saved', async () => {
    // First run appends a broken line; the second run removes it.
    const t = await setup(`if grep -q '^broken' "$1"; then sed -i '/^broken/d' "$1"; else printf 'broken\\n' >> "$1"; fi`);
    const questions: string[] = [];
    const result = await editSecrets({ ...t.options, confirm: async (q) => (questions.push(q), true) });
    expect(questions).toHaveLength(1);
    expect(result.changed).toBe(false); // back to the original text
    expect(readFileSync(t.places.file, 'utf8')).toBe(t.before);
  });

  it('no change: the file is not rewritten', async () => {
    const t = await setup(':');
    expect((await editSecrets(t.options)).changed).toBe(false);
    expect(readFileSync(t.places.file, 'utf8')).toBe(t.before);
    expect(readdirSync(t.tmpRoot)).toEqual([]);
  });

  it('warns about a secret that could not be a stream key, naming the problem, not the value', async () => {
    const t = await setup(`printf 'odd: abc/def\\n' >> "$1"`);
    const result = await editSecrets(t.options);
    expect(result.warnings.map(formatIssue)).toEqual([
      expect.stringMatching(/being edited\):2:6: odd: cannot serve as a stream key: character 4 of the key is a slash/),
    ]);
    expectNoneOf(result.warnings.map(formatIssue).join(), ['abc/def']);
  });

  it('EDITOR may carry arguments; VISUAL wins over EDITOR', async () => {
    const t = await setup(`printf 'flag: %s\\n' "$FLAG" >> "$1"`);
    const env = { ...t.options.env, VISUAL: `FLAG=from_visual ${t.options.env.EDITOR}`, EDITOR: 'false' };
    await editSecrets({ ...t.options, env });
    expect(await t.clear()).toBe(`${PLAIN}flag: from_visual\n`);
  });
});
