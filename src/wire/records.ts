// The one format everything a Pi's scripts print back to the controller travels in, and its
// codec. A record is one line: a tag, then its fields, separated by tabs:
//
//     GW<TAB>0<TAB>200 1843 0.012<TAB>
//     TLS<TAB>0<TAB>Q09OTkVDVEVEKDAwMDAwMDAzKQo=
//
// A field is a word (no tab, no newline: numbers, names, states) or, wherever it may hold
// anything (a command's output, a file, an error), text in base64 (`b64` in src/pi/common.sh).
// Each script's records are declared once, a zod schema per tag (`recordSchemas`), and decoded by
// `decodeRecords`: a record that breaks its schema is an error naming the script, the line and the
// field; a tag the schema does not know is skipped (a newer script beside an older controller).
// The fakes in the tests write records with `encodeRecord`, from the same schemas.
import { z } from '../util/zod.js';

/** A whole number, e.g. an exit code or a pid. */
export const int = z.string().regex(/^-?\d+$/, 'not a whole number').transform(Number);
/** A decimal number, e.g. seconds with a fraction. */
export const num = z.string().regex(/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i, 'not a number').transform(Number);
/** A word: anything without a tab or a newline (a name, a state, an address). */
export const word = z.string();
/** Free text, base64 on the wire (base64 -w0), decoded as UTF-8. */
export const text = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')
  .transform((value) => Buffer.from(value, 'base64').toString('utf8'));
/**
 * A text field inside a field whose form depends on another (e.g. a link's target after its
 * kind): base64 decoded as `text` decodes it, or undefined when it is not base64.
 */
export function textOf(value: string): string | undefined {
  const result = text.safeParse(value);
  return result.success ? result.data : undefined;
}

/** `1` or `0`. */
export const flag = z.enum(['0', '1']).transform((value) => value === '1');

/** A field a script prints empty when it has nothing to say there (decoded as undefined). */
export function orEmpty<T extends z.ZodType>(schema: T) {
  return z.union([z.literal('').transform(() => undefined), schema]);
}

const REST = new WeakSet<object>();

/**
 * The record's remaining fields, however many (e.g. one `Key=Value` per unit property); the last
 * field of a record only.
 */
export function rest<T extends z.ZodType>(schema: T): z.ZodArray<T> {
  const list = z.array(schema);
  REST.add(list);
  return list;
}

/** A record's fields in the order they are printed: name -> schema of that field. */
export type FieldSchemas = Record<string, z.ZodType>;
export type RecordSchemas = Record<string, FieldSchemas>;

/** The fields of one record, decoded: `{ tag, ...fields }`. */
export type DecodedRecord<S extends RecordSchemas> = {
  [T in keyof S & string]: { tag: T; line: number } & { [F in keyof S[T]]: z.output<S[T][F]> };
}[keyof S & string];

/** Declare a script's records (keeps the literal types for `DecodedRecord`). */
export function recordSchemas<const S extends RecordSchemas>(schemas: S): S {
  return schemas;
}

/** A field that may be absent at the end of a record (an older script printed fewer). */
export function optional<T extends z.ZodType>(schema: T): z.ZodOptional<T> {
  return schema.optional();
}

export class RecordError extends Error {
  readonly hint: string;
  constructor(
    readonly source: string,
    readonly line: number,
    readonly tag: string,
    readonly problem: string,
  ) {
    super(`${source}: record ${line} (${tag}) is malformed: ${problem}`);
    this.name = 'RecordError';
    // What broke the record is on the Pi (a tool printing something new) or in orbis itself:
    // either way nothing is decided from it, and the message says where to look.
    this.hint = `the Pi answered in a form this orbis does not read; if it persists, report it as an orbis bug with this message`;
  }
}

/**
 * Every record of `output` that `schemas` knows, in order. Blank lines and unknown tags are
 * skipped; a known record whose fields break its schema throws a RecordError.
 */
export function decodeRecords<S extends RecordSchemas>(output: string, schemas: S, source: string): Array<DecodedRecord<S>> {
  const records: Array<DecodedRecord<S>> = [];
  const lines = output.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    const [tag = '', ...values] = line.split('\t');
    if (!Object.hasOwn(schemas, tag)) continue;
    const fields = schemas[tag] as FieldSchemas;
    const names = Object.keys(fields);
    const restAt = names.findIndex((name) => REST.has(fields[name] as object));
    if (restAt < 0 && values.length > names.length) throw new RecordError(source, index + 1, tag, `${values.length} fields, at most ${names.length} expected (${names.join(', ')})`);
    const decoded: Record<string, unknown> = { tag, line: index + 1 };
    for (const [i, name] of names.entries()) {
      const schema = fields[name] as z.ZodType;
      const value = i === restAt ? values.slice(i) : values[i];
      const result = schema.safeParse(value);
      if (!result.success) {
        if (Array.isArray(value)) throw new RecordError(source, index + 1, tag, `field ${i + 1 + Number(result.error.issues[0]?.path[0] ?? 0)} (${name}): ${result.error.issues[0]?.message ?? 'invalid'}`);
        const shown = values[i] === undefined ? 'missing' : `"${values[i].length > 40 ? `${values[i].slice(0, 40)}...` : values[i]}"`;
        throw new RecordError(source, index + 1, tag, `field ${i + 1} (${name}) ${shown}: ${result.error.issues[0]?.message ?? 'invalid'}`);
      }
      decoded[name] = result.data;
    }
    records.push(decoded as DecodedRecord<S>);
  }
  return records;
}

/**
 * One record as a script prints it, for the fakes in tests: each value is given as the script
 * would print it before encoding (text fields are base64-encoded here, the rest must hold no tab
 * or newline).
 */
export function encodeRecord<S extends RecordSchemas, T extends keyof S & string>(schemas: S, tag: T, values: { [F in keyof S[T]]?: string | number | boolean }): string {
  const fields = schemas[tag] as FieldSchemas;
  const out: string[] = [tag];
  for (const [name, schema] of Object.entries(fields)) {
    const value = (values as Record<string, string | number | boolean | undefined>)[name];
    if (value === undefined) break; // an optional tail left off
    const raw = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    const wire = isText(schema) ? Buffer.from(raw, 'utf8').toString('base64') : raw;
    if (/[\t\n]/.test(wire) && !REST.has(schema)) throw new Error(`${tag}.${name}: a word field cannot hold a tab or a newline`);
    out.push(wire); // a rest field's values are given joined by tabs
  }
  return out.join('\t');
}

function isText(schema: FieldSchemas[string]): boolean {
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  return inner === text;
}
