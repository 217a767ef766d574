// `orbis secrets edit`: decrypt into a private file, let the user's editor change it, check what
// came back, and re-encrypt it in place atomically. Nothing is written when the editor fails,
// when nothing changed, or when the text is invalid (unless the user chooses to edit again).
import { readFileSync, statSync } from 'node:fs';
import { checkStreamKey } from '../config/stream-key.js';
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import { encryptToRecipients } from './age-file.js';
import { parseSecretsText, type SecretEntry } from './document.js';
import { editorOf, runEditor } from './editor.js';
import { writeFileAtomic } from './private-files.js';
import { recipientsToEncryptTo } from './recipients.js';
import { openSecrets, type SecretsOptions } from './vault.js';
import { withPrivateFile } from './workspace.js';

export interface EditOptions extends SecretsOptions {
  /** Where the private directory is made (default /dev/shm, else the system's temp directory). */
  tmpRoot?: string;
  /** After invalid input: open the editor again? Without it, invalid input is an error. */
  confirm?: (question: string) => Promise<boolean>;
  /** Problems in the edited text, shown before `confirm` is asked. */
  report?: (issues: readonly ConfigIssue[]) => void;
}

export interface EditResult {
  changed: boolean;
  names: string[];
  /** Secrets that could not serve as a stream key (a warning: not every secret is a key). */
  warnings: ConfigIssue[];
}

export async function editSecrets(options: EditOptions = {}): Promise<EditResult> {
  const env = options.env ?? process.env;
  const file = openSecrets(options);
  const opened = await file.open();
  const recipients = await recipientsToEncryptTo(file.recipientsPath, opened.identity);
  const before = readFileSync(file.path);
  const label = `${file.path} (being edited)`;

  const edited = await withPrivateFile(opened.text, 'secrets.yaml', async (space) => {
    for (;;) {
      const code = await runEditor(editorOf(env), space.file, env, (child) => (space.editor = child));
      space.editor = undefined;
      if (code !== 0) throw new Error(`the editor (${editorOf(env)}) exited with code ${code}; ${file.path} is unchanged`);
      const text = readFileSync(space.file, 'utf8');
      if (text === opened.text) return undefined;
      const parsed = parseSecretsText(text, label);
      if (parsed.issues.length === 0) return { text, entries: parsed.entries };
      const values = parsed.entries.map((e) => e.value);
      options.report?.(new ConfigError(parsed.issues, values).issues);
      if (options.confirm === undefined || !(await options.confirm('Edit again? (no: discard the changes) [Y/n] '))) {
        throw new ConfigError(parsed.issues.map((i) => ({ ...i, hint: `${i.hint ?? 'fix it'}; nothing was changed` })), values);
      }
    }
  }, options.tmpRoot);
  if (edited === undefined) return { changed: false, names: [...opened.secrets.keys()], warnings: [] };

  const armored = await encryptToRecipients(edited.text, recipients);
  // Another edit (or a git pull) replaced the file meanwhile: do not silently undo it.
  if (!readFileSync(file.path).equals(before)) {
    throw new ConfigError([{ file: file.path, message: 'changed while you were editing; your edit was not saved', hint: 'run `orbis secrets edit` again and redo the change' }]);
  }
  writeFileAtomic(file.path, armored, statSync(file.path).mode & 0o777);
  return { changed: true, names: edited.entries.map((e) => e.name), warnings: streamKeyWarnings(edited.entries, label) };
}

/** Names whose value could not be a stream key, and why (never the value). */
export function streamKeyWarnings(entries: readonly SecretEntry[], file: string): ConfigIssue[] {
  return entries.flatMap((entry) => {
    const problem = checkStreamKey(entry.value.reveal());
    if (problem === undefined) return [];
    return [{ file, line: entry.line, col: entry.col, variable: entry.name, message: `cannot serve as a stream key: ${problem.message}`, hint: 'fine if this secret is not a stream key' }];
  });
}
