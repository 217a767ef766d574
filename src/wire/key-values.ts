// The `key=value` files the Pi's services keep for `orbis status` (the streamer's `tour`, the
// prefetch cache's `.etat`), decoded one way. A value runs to the end of its line; a key may repeat
// (the streamer's `skip=` lines), so each key maps to every value it had, in order.

/** Every value of every key, in the order the lines gave them. Lines without `=` are ignored. */
export function keyValues(text: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return values;
}

/** A key's last value, or '' when the file does not have it. */
export function lastValue(values: Map<string, string[]>, key: string): string {
  return values.get(key)?.at(-1) ?? '';
}

/** A key's last value as a whole number; 0 when absent or not one. */
export function wholeValue(values: Map<string, string[]>, key: string): number {
  const text = lastValue(values, key);
  return /^\d+$/.test(text) ? Number(text) : 0;
}
