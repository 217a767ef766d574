// Quoting for POSIX shells. Every value that reaches a remote command goes through `shq`;
// a value is never pasted into a command line unquoted.

/** Single-quote a string for sh/bash: safe for any byte sequence without NUL. */
export function shq(value: string): string {
  if (value.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quote each argument and join them into one command line. */
export function shCommand(args: readonly string[]): string {
  return args.map(shq).join(' ');
}
