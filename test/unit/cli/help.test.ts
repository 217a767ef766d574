// Every command's --help ends with an example of its use, so a new command cannot ship without
// one: the test walks the program as program.ts builds it, subcommands included.
import type { Command } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';

function commands(command: Command, path: string[] = []): Array<{ path: string; command: Command }> {
  return [
    { path: ['orbis', ...path].join(' '), command },
    ...(command.commands as Command[]).flatMap((sub) => commands(sub, [...path, sub.name()])),
  ];
}

/** What `<command> --help` prints, the text added before and after included. */
function helpOf(command: Command): string {
  let out = '';
  command.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  command.outputHelp();
  return out;
}

describe('--help', () => {
  const all = commands(buildProgram() as unknown as Command);

  it('walks every command and subcommand', () => {
    expect(all.map((c) => c.path)).toEqual(
      expect.arrayContaining(['orbis', 'orbis provision', 'orbis check', 'orbis facts', 'orbis render', 'orbis secrets edit', 'orbis lab up', 'orbis lab down']),
    );
  });

  it.each(commands(buildProgram() as unknown as Command).map((c) => [c.path, c.command] as const))('%s has an Example section that runs orbis', (path, command) => {
    const help = helpOf(command);
    const section = /\nExamples?:\n((?: {2}.*\n?)+)/.exec(help);
    expect(section, `${path} --help has no "Examples:" section:\n${help}`).not.toBeNull();
    // Each example is a command line of this very command.
    const lines = (section?.[1] ?? '').split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      // Leading VAR=value assignments and sudo are the shell's, not orbis's.
      const example = line.trim().replace(/^(?:[A-Z_][A-Z0-9_]*=(?:'[^']*'|"[^"]*"|\S*)\s+)*(?:sudo\s+)?/, '');
      expect(example === path || example.startsWith(`${path} `), `${path}: the example "${example}" runs another command`).toBe(true);
    }
  });
});
