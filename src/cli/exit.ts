// Exit codes, decided in one place (../shared/DESIGN.md): 0 success / in sync; 2 drift or
// pending changes; 1 anything failed (a failure wins over drift).
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_CHANGES = 2;

export function exitCodeFor(_error: unknown): number {
  return EXIT_FAILED;
}

/** Run a command's action: its result is the exit code; an error is printed once, exit 1. */
export async function runAction(command: string, action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    process.stderr.write(`orbis ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_FAILED;
  }
}
