// The files `orbis init` writes, as text (pure), and the .gitignore entry. The conf file is the
// shipped conf/orbis.conf.example with the answers filled in, so every setting stays documented
// where the user will edit it.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { stringify } from 'yaml';
import { confWord } from '../btfs-release/conf-lines.js';
import { enabledPlatforms, KEY_SETTINGS, secretNameFor, type InitAnswers, type Platform } from './answers.js';

function replaceLine(text: string, key: string, line: string): string {
  const re = new RegExp(`^${key}=.*$`, 'm');
  if (!re.test(text)) throw new Error(`conf/orbis.conf.example has no ${key}= line: orbis init needs one to fill in`);
  return text.replace(re, () => line);
}

/** Where a key lives when it is not in the conf file, said next to its (empty) line. */
function keyElsewhere(answers: InitAnswers, platform: Platform, inventoryPath: string, secretsFile: string): string {
  if (answers.store === 'secrets') return `   # in ${secretsFile} as ${secretNameFor(answers.name, platform)} (see ${inventoryPath})`;
  if (answers.store === 'env') return `   # from the environment variable ${answers.keyEnv[platform] ?? ''} (see ${inventoryPath})`;
  return '';
}

export interface ConfTextOptions {
  inventoryPath: string;
  secretsFile: string;
  /** Written in the header (tests pass a fixed one). */
  date: string;
  /** `--btfs-url`: where the Pis download BTFS from instead (a mirror). */
  btfsUrl?: string;
}

/** conf/orbis.conf: the example, with the platforms and (store `conf`) the keys filled in. */
export function confText(example: string, answers: InitAnswers, options: ConfTextOptions): string {
  let text = example.replace(/^# Copy this file to conf\/orbis\.conf.*$/m, `# Written by \`orbis init\` on ${options.date}. It may hold stream keys: keep it private (0600) and out of git.`);
  text = replaceLine(text, 'PLATEFORMES', `PLATEFORMES="${answers.platforms}"`);
  if (options.btfsUrl !== undefined) text = replaceLine(text, 'BTFS_URL_TELECHARGEMENT', `BTFS_URL_TELECHARGEMENT=${confWord(options.btfsUrl)}`);
  for (const platform of ['dlive', 'kick'] as const) {
    const setting = KEY_SETTINGS[platform];
    const key = answers.keys[platform];
    const on = enabledPlatforms(answers.platforms).includes(platform);
    if (answers.store === 'conf' && key && on) {
      // A valid key holds only [A-Za-z0-9_.?=&-]: nothing double quotes would change.
      text = replaceLine(text, setting, `${setting}="${key.reveal()}"`);
    } else if (on && (key || answers.keyEnv[platform])) {
      text = replaceLine(text, setting, `${setting}=""${keyElsewhere(answers, platform, options.inventoryPath, options.secretsFile)}`);
    }
  }
  return text;
}

const yamlScalar = (value: string | number): string => stringify(value).trimEnd();

/** inventory/<name>.yaml: the one Pi, how to reach it, and references to keys kept elsewhere. */
export function inventoryText(answers: InitAnswers, options: { inventoryPath: string; confPath: string; date: string }): string {
  const { target } = answers;
  const lines = [
    `# ${options.inventoryPath}: written by \`orbis init\` on ${options.date}.`,
    `# Your Pi and how to reach it. Its settings come from ${options.confPath}; any of them can be`,
    '# set for this Pi alone under vars: (inventory/example.yaml shows groups and more hosts).',
    `#   orbis apply -i ${options.inventoryPath}     # provision and verify every host here`,
    `#   orbis check -i ${options.inventoryPath}     # what drifted`,
    `#   orbis verify -i ${options.inventoryPath}    # does it stream?`,
    'hosts:',
    `  ${answers.name}:`,
    `    address: ${yamlScalar(target.host)}`,
  ];
  if (target.user) lines.push(`    user: ${yamlScalar(target.user)}`);
  if (target.port !== undefined) lines.push(`    port: ${target.port}`);
  const refs: string[] = [];
  for (const platform of enabledPlatforms(answers.platforms)) {
    const setting = KEY_SETTINGS[platform];
    if (answers.store === 'secrets' && answers.keys[platform]) refs.push(`      ${setting}: { secret: ${secretNameFor(answers.name, platform)} }`);
    if (answers.store === 'env' && answers.keyEnv[platform]) refs.push(`      ${setting}: { env: ${answers.keyEnv[platform]} }`);
  }
  if (refs.length > 0) lines.push('    vars:', ...refs);
  return `${lines.join('\n')}\n`;
}

export type GitignoreOutcome = 'ignored' | 'added' | 'outside';

/**
 * Make git ignore `path` (relative to `cwd`): asks git when there is a repository (a pattern
 * like `*.conf` counts), else reads .gitignore; appends the path when it is not ignored yet.
 */
export function ensureGitignored(path: string, cwd: string): GitignoreOutcome {
  const rel = isAbsolute(path) ? relative(cwd, path) : path;
  if (rel.startsWith('..') || isAbsolute(rel)) return 'outside';
  const entry = rel.split(sep).join('/');
  const git = spawnSync('git', ['check-ignore', '-q', '--no-index', '--', entry], { cwd, stdio: 'ignore', timeout: 10_000 });
  if (git.status === 0) return 'ignored';
  const file = join(cwd, '.gitignore');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines.includes(entry) || lines.includes(`/${entry}`)) return 'ignored';
  appendFileSync(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}${entry}\n`);
  return 'added';
}
