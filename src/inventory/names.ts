// What a host or group may be called. Names appear in `--limit` patterns, so they may not hold
// the characters patterns give meaning to (`,` `:` `!` `&` `@` and glob `* ? [`), and they start
// with a letter so a YAML key like `1` (which JavaScript objects reorder) cannot be a name.
export const NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export const NAME_RULE = 'a letter, then letters, digits, ".", "_" or "-"';

/** `all` is every host, in patterns and in `orbis inventory`: no group may take that name. */
export const ALL_GROUP = 'all';

export function isValidName(name: string): boolean {
  return NAME_RE.test(name);
}
