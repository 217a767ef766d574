// Stream keys: secrets, and the one value that goes, unquoted, into an nginx `push` URL and the
// streamer's files. So a key may contain only what platform keys are made of:
//   - letters and digits, `_` `-` (DLive keys; Kick's `sk_us-west-2_...`),
//   - `.` and `? = &` (keys with query parameters, as some RTMP services hand out).
// Everything else is refused, naming the kind of character and its place, never the key:
// `;` would end the nginx directive, `{`/`}` open or close an nginx block, quotes and `\` end or
// escape strings, whitespace and line breaks split words and lines, `$` starts a variable in nginx
// and the shell, `#` a comment, `/` would move the split between RTMP application and stream name.
import { z } from '../util/zod.js';
import { Secret } from '../redact/secret.js';
import { fail, pushIssue, type ParseFailure, type RawValue, type ValueType } from './value-types.js';

export const STREAM_KEY_ALLOWED = 'letters, digits and _ - . ? = &';
export const STREAM_KEY_MAX_LENGTH = 256;

const ALLOWED_CHAR = /^[A-Za-z0-9_.?=&-]$/;

const WHY_FORBIDDEN: ReadonlyArray<[RegExp, string]> = [
  [/^;$/, 'a semicolon (;), which would end the nginx push directive'],
  [/^[{}]$/, 'a brace ({ or }), which would open or close an nginx block'],
  [/^["'`]$/, 'a quote, which would end a quoted string in nginx or the shell'],
  [/^[\r\n]$/, 'a line break, which would split the configuration line'],
  [/^\s$/, 'whitespace, which would split the nginx directive or a shell word'],
  [/^\$$/, 'a dollar sign ($), which nginx and the shell read as a variable'],
  [/^#$/, 'a #, which starts a comment in nginx and the shell'],
  [/^\\$/, 'a backslash, an escape character in nginx and the shell'],
  [/^\/$/, 'a slash (/), which would change the RTMP application and stream name'],
  [/^[\x00-\x1f\x7f]$/, 'a control character'],
  [/^[^\x00-\x7f]$/, 'a non-ASCII character (an accent or a look-alike letter)'],
];

/** Why `key` cannot be a stream key, or undefined when it can (empty means "not set"). */
export function checkStreamKey(key: string): ParseFailure | undefined {
  const chars = Array.from(key);
  const badAt = chars.findIndex((c) => !ALLOWED_CHAR.test(c));
  if (badAt >= 0) {
    const c = chars[badAt] ?? '';
    const what = WHY_FORBIDDEN.find(([re]) => re.test(c))?.[1] ?? 'a character that is not allowed';
    const atEdge = /\s/.test(c) && (badAt === 0 || badAt === chars.length - 1);
    const hint = atEdge
      ? 'remove the spaces around the key'
      : "copy the key again from the platform's dashboard; if it really contains this character, tell the orbis maintainers";
    return fail(`character ${badAt + 1} of the key is ${what}; a stream key may contain only ${STREAM_KEY_ALLOWED}`, hint, badAt);
  }
  if (chars.length > STREAM_KEY_MAX_LENGTH) {
    return fail(`is ${chars.length} characters long; a stream key has at most ${STREAM_KEY_MAX_LENGTH}`, 'check that only the key was pasted, not the whole URL or page');
  }
  return undefined;
}

/** A stream key setting: text or a secret reference in, a `Secret` out (empty = not set). */
export function streamKey(): ValueType<Secret> {
  const allowed = `a stream key (secret; ${STREAM_KEY_ALLOWED}; at most ${STREAM_KEY_MAX_LENGTH} characters), or empty when not set`;
  const schema = z
    .union([z.string(), z.instanceof(Secret)], { error: 'must be a stream key (text or a secret reference)' })
    .transform((raw: RawValue, ctx): Secret => {
      const secret = raw instanceof Secret ? raw : new Secret(raw);
      const problem = checkStreamKey(secret.reveal());
      if (problem === undefined) return secret;
      pushIssue(ctx, problem);
      return z.NEVER;
    });
  return { schema: schema.describe(allowed), allowed };
}
