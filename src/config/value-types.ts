// The kinds of value a setting can hold, as zod schemas that read the text written in a conf
// file (or given by the environment, `--var` or an inventory) and give the typed value.
//
// Each type says what it allows in words (`allowed`), used in error messages and in the generated
// reference. A failed value yields one issue with a message (what is allowed, and what was found
// when showing it is harmless), a hint, and optionally the offset of the faulty character, which
// the loader turns into an exact column.
import { z } from '../util/zod.js';
import { Secret } from '../redact/secret.js';

/** A setting's value before validation: text, or a secret given by reference. */
export type RawValue = string | Secret;

export interface ParseFailure {
  ok: false;
  message: string;
  hint?: string;
  /** Index (in characters) of the faulty character within the value. */
  offset?: number;
  /**
   * The hint would need a value to start from, which the type cannot give: one it allows may be
   * refused by a check across settings (500 kbps is in range, and outside both platforms'
   * overlap). validate.ts adds the setting's default, which passes those checks.
   */
  exampleWanted?: true;
}
export type ParseOutcome<T> = { ok: true; value: T } | ParseFailure;

export interface ValueType<T> {
  schema: z.ZodType<T, RawValue>;
  /** What is allowed, in words: "a whole number from 1 to 65535". */
  allowed: string;
}

/** Extra data carried by our zod issues (`issue.params`). */
export interface IssueParams {
  hint?: string;
  offset?: number;
  exampleWanted?: true;
}

const rawValue = z.union([z.string(), z.instanceof(Secret)], {
  error: 'must be a single value (text, a number or true/false)',
});

export function ok<T>(value: T): ParseOutcome<T> {
  return { ok: true, value };
}

export function fail(message: string, hint?: string, offset?: number): ParseFailure {
  const failure: ParseFailure = { ok: false, message };
  if (hint !== undefined) failure.hint = hint;
  if (offset !== undefined) failure.offset = offset;
  return failure;
}

/** Build a type from a parse function over the plain text of a (non-secret) value. */
export function textType<T>(allowed: string, parse: (text: string) => ParseOutcome<T>): ValueType<T> {
  const schema = rawValue.transform((raw, ctx): T => {
    if (raw instanceof Secret) {
      pushIssue(ctx, fail('is given as a secret reference, but it is not a secret setting', 'give it as a plain value'));
      return z.NEVER;
    }
    const outcome = parse(raw);
    if (outcome.ok) return outcome.value;
    pushIssue(ctx, outcome);
    return z.NEVER;
  });
  return { schema: schema.describe(allowed), allowed };
}

export function pushIssue(ctx: z.core.$RefinementCtx, failure: ParseFailure): void {
  const params: IssueParams = {};
  if (failure.hint !== undefined) params.hint = failure.hint;
  if (failure.offset !== undefined) params.offset = failure.offset;
  if (failure.exampleWanted) params.exampleWanted = true;
  ctx.issues.push({ code: 'custom', message: failure.message, input: undefined, params });
}

/** The first issue of a failed inner parse, as a failure of the outer type. */
export function failureFrom(error: z.ZodError, fallback: string): ParseFailure {
  const first = error.issues[0];
  const params = (first as { params?: IssueParams } | undefined)?.params;
  const failure = fail(first?.message ?? fallback, params?.hint, params?.offset);
  if (params?.exampleWanted) failure.exampleWanted = true;
  return failure;
}

/**
 * A short, quoted rendering of a found value for a message. Any run of 16 or more letters,
 * digits, _ and - is masked: a value typed into the wrong setting may be a stream key pasted
 * with it (KICK_CHEMIN=/app/sk_us-west-2_...), and no message ever holds a key. Masked before
 * the cut, so no cut leaves a key's beginning.
 */
export function shown(text: string): string {
  const safe = text.replace(/[A-Za-z0-9_-]{16,}/g, '********');
  const cut = safe.length > 40 ? `${safe.slice(0, 40)}...` : safe;
  return JSON.stringify(cut);
}

/** '' means "not set" (orbis then derives the value); anything else must be a valid `type`. */
export function optional<T>(type: ValueType<T>): ValueType<T | undefined> {
  const allowed = `empty, or ${type.allowed}`;
  const schema = rawValue.transform((raw, ctx): T | undefined => {
    if (raw === '') return undefined;
    const result = type.schema.safeParse(raw);
    if (result.success) return result.data;
    pushIssue(ctx, failureFrom(result.error, `must be ${allowed}`));
    return z.NEVER;
  });
  return { schema: schema.describe(allowed), allowed };
}

export function integer(min: number, max: number, unit = ''): ValueType<number> {
  const allowed = `a whole number from ${min} to ${max}${unit ? ` (${unit})` : ''}`;
  return textType(allowed, (text) => {
    if (!/^[0-9]+$/.test(text)) {
      const withUnit = /^([0-9]+)\s*[A-Za-z/]+$/.exec(text);
      if (withUnit) return fail(`must be ${allowed}; found ${shown(text)}`, `write the number alone, without a unit: ${withUnit[1]}`);
      return { ...fail(`must be ${allowed}; found ${shown(text)}`, 'write digits only'), exampleWanted: true };
    }
    const n = Number(text);
    if (n < min || n > max) return fail(`must be ${allowed}; found ${n}`, `choose a value from ${min} to ${max}`);
    return ok(n);
  });
}

/** Video sizes must be even: H.264 with 4:2:0 chroma cannot encode an odd width or height. */
export function evenInteger(min: number, max: number, unit: string): ValueType<number> {
  const base = integer(min, max, unit);
  const allowed = `an even ${base.allowed.replace(/^a /, '')}`;
  return textType(allowed, (text) => {
    const parsed = base.schema.safeParse(text);
    if (!parsed.success) return failureFrom(parsed.error, `must be ${allowed}`);
    if (parsed.data % 2 !== 0) {
      return fail(`must be ${allowed}; found ${parsed.data}`, `H.264 (4:2:0) needs even sizes: use ${parsed.data - 1} or ${parsed.data + 1}`);
    }
    return ok(parsed.data);
  });
}

export function decimal(min: number, max: number): ValueType<number> {
  const allowed = `a number from ${min} to ${max} (decimal point, e.g. 0.85)`;
  return textType(allowed, (text) => {
    if (!/^(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)$/.test(text)) {
      const hint = text.includes(',') ? `use a decimal point, not a comma: ${text.replace(',', '.')}` : 'write a number such as 0.85';
      return fail(`must be ${allowed}; found ${shown(text)}`, hint);
    }
    const n = Number(text);
    if (n < min || n > max) return fail(`must be ${allowed}; found ${text}`, `choose a value from ${min} to ${max}`);
    return ok(n);
  });
}

const WORDS_FOR_TRUE = ['yes', 'oui', 'on', '1', 'vrai'];
const WORDS_FOR_FALSE = ['no', 'non', 'off', '0', 'faux'];

/**
 * Only `true` and `false`: upstream's scripts compared with the word `true`, so there `yes` or
 * `True` silently meant false. Refusing them (with the fix) is kinder than guessing.
 */
export function boolean(): ValueType<boolean> {
  const allowed = 'true or false';
  return textType(allowed, (text) => {
    if (text === 'true') return ok(true);
    if (text === 'false') return ok(false);
    const lower = text.toLowerCase();
    let hint = 'write true or false';
    if (lower === 'true' || lower === 'false') hint = `write it in lower case: ${lower}`;
    else if (WORDS_FOR_TRUE.includes(lower)) hint = `write true (upstream's scripts compared with the word true, so ${shown(text)} meant false there)`;
    else if (WORDS_FOR_FALSE.includes(lower)) hint = 'write false';
    return fail(`must be ${allowed}; found ${shown(text)}`, hint);
  });
}

export function oneOf<const V extends string>(values: readonly V[], notes = ''): ValueType<V> {
  const allowed = `one of ${values.join(', ')}${notes ? ` (${notes})` : ''}`;
  return textType(allowed, (text) => {
    const exact = values.find((v) => v === text);
    if (exact !== undefined) return ok(exact);
    const folded = values.find((v) => v.toLowerCase() === text.toLowerCase());
    const hint = folded !== undefined ? `write it exactly as ${folded}` : `choose one of ${values.join(', ')}`;
    return fail(`must be ${allowed}; found ${shown(text)}`, hint);
  });
}

export function port(): ValueType<number> {
  const base = integer(1, 65535);
  return { schema: base.schema, allowed: 'a TCP/UDP port from 1 to 65535' };
}

export function ipv4Address(): ValueType<string> {
  const allowed = 'an IPv4 address such as 127.0.0.1 (loopback: only the Pi itself) or 0.0.0.0 (every interface)';
  return textType(allowed, (text) => {
    const parts = text.split('.');
    const valid = parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
    return valid ? ok(text) : fail(`must be ${allowed}; found ${shown(text)}`, 'write four numbers 0-255 separated by dots');
  });
}

const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isHostName(text: string): boolean {
  return text.length > 0 && text.length <= 253 && text.split('.').every((label) => HOST_LABEL.test(label));
}

export function hostName(): ValueType<string> {
  const allowed = 'a host name (letters, digits, - and .), without scheme or port';
  return textType(allowed, (text) => {
    if (isHostName(text)) return ok(text);
    const hint = text.includes('://') || text.includes(':')
      ? 'write the host alone: no rtmps:// in front and no :port after (the port is its own setting)'
      : 'write a host name such as ingest.example.net';
    return fail(`must be ${allowed}`, hint, firstOffset(text, (c) => !/[A-Za-z0-9.-]/.test(c)));
  });
}

// URLs end up in nginx directives, FFmpeg arguments and unit files: a narrow character set keeps
// them from carrying quotes, spaces or `;` into any of those.
const URL_CHARS = /[A-Za-z0-9._~:/?&=%+-]/;

/** An http(s) URL. Not echoed in messages: a pasted URL can hold a token. */
export function httpUrl(): ValueType<string> {
  const allowed = 'an http:// or https:// URL';
  return textType(allowed, (text) => {
    const bad = firstOffset(text, (c) => !URL_CHARS.test(c));
    if (bad !== undefined) return fail(`must be ${allowed}, made of letters, digits and . _ ~ : / ? & = % + -`, 'remove spaces, quotes and other characters', bad);
    const url = safeUrl(text);
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      return fail(`must be ${allowed}`, 'write it as http://host:port/path');
    }
    if (url.username || url.password) return fail(`must be ${allowed} without a user name or password`, 'remove the user:password@ part');
    return ok(text.replace(/\/+$/, ''));
  });
}

/**
 * An RTMP ingest base URL: `rtmp://host[:port]/app`, exactly one path segment. The stream key is
 * its own (secret) setting; a key pasted into the URL would be printed everywhere, so a second
 * path segment is refused.
 */
export function rtmpServerUrl(): ValueType<string> {
  const allowed = 'an rtmp://host[:port]/application URL (one path segment, no stream key)';
  return textType(allowed, (text) => {
    const m = /^rtmp:\/\/([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?\/([A-Za-z0-9_-]+)\/?$/.exec(text);
    if (m?.[1] !== undefined && isHostName(m[1]) && (m[2] === undefined || Number(m[2]) <= 65535)) {
      return ok(text.replace(/\/$/, ''));
    }
    const hint = /^rtmp:\/\/[^/]+\/[^/]+\/./.test(text)
      ? 'the stream key does not go in the URL: put it in the platform\'s *_CLE_FLUX setting'
      : 'write it as rtmp://stream.dlive.tv/live';
    return fail(`must be ${allowed}`, hint);
  });
}

/** One path segment such as `/app` (the RTMP application on a platform's ingest). */
export function urlPathSegment(): ValueType<string> {
  const allowed = 'a path of one segment such as /app (letters, digits, . _ -)';
  return textType(allowed, (text) => {
    if (/^\/[A-Za-z0-9._-]+$/.test(text)) return ok(text);
    return fail(`must be ${allowed}; found ${shown(text)}`, 'write it as /app');
  });
}

/** A name that goes into nginx or FFmpeg unquoted (an RTMP application name). */
export function simpleName(): ValueType<string> {
  const allowed = 'a name of 1 to 64 letters, digits, _ or -';
  return textType(allowed, (text) => {
    if (/^[A-Za-z0-9_-]{1,64}$/.test(text)) return ok(text);
    return fail(`must be ${allowed}; found ${shown(text)}`, 'use only letters, digits, _ and -', firstOffset(text, (c) => !/[A-Za-z0-9_-]/.test(c)));
  });
}

export function unixUserName(): ValueType<string> {
  const allowed = 'a system user name (lower-case letters, digits, _ and -, starting with a letter or _, at most 32)';
  return textType(allowed, (text) => {
    if (/^[a-z_][a-z0-9_-]{0,31}$/.test(text)) return ok(text);
    return fail(`must be ${allowed}; found ${shown(text)}`, 'for example: btfs');
  });
}

/** An absolute path on the Pi, in characters that need no quoting anywhere it is written. */
export function absolutePath(): ValueType<string> {
  const allowed = 'an absolute path (starting with /) of letters, digits and . _ - + @ /';
  return textType(allowed, (text) => {
    if (!text.startsWith('/')) return fail(`must be ${allowed}; found ${shown(text)}`, 'start it with /');
    const bad = firstOffset(text, (c) => !/[A-Za-z0-9._+@/-]/.test(c));
    if (bad !== undefined) return fail(`must be ${allowed}; found ${shown(text)}`, 'rename the path without spaces, quotes or shell characters', bad);
    if (text.split('/').includes('..')) return fail(`must be ${allowed} without .. segments; found ${shown(text)}`, 'write the path out in full');
    return ok(text.length > 1 ? text.replace(/\/+$/, '') : text);
  });
}

/**
 * Any text on one line: for settings orbis reads but does not use (kept from upstream), so a value
 * upstream accepted never stops orbis from loading the file.
 */
export function anyText(): ValueType<string> {
  const allowed = 'any text on one line';
  return textType(allowed, (text) => {
    const bad = firstOffset(text, (c) => c < ' ' && c !== '\t');
    return bad === undefined ? ok(text) : fail(`must be ${allowed}; found a control character`, 'remove line breaks and control characters', bad);
  });
}

/** A BTFS/IPFS content id: CIDv0 (Qm..., base58) or CIDv1 (b..., base32). */
export function contentId(): ValueType<string> {
  const allowed = 'a BTFS content id (Qm... of 46 characters, or a base32 CIDv1 starting with b)';
  return textType(allowed, (text) => {
    if (/^Qm[1-9A-HJ-NP-Za-km-z]{44}$/.test(text) || /^b[a-z2-7]{50,}$/.test(text)) return ok(text);
    return fail(`must be ${allowed}; found ${shown(text)}`, 'copy the CID again, without the /btfs/ prefix or a URL');
  });
}

export function sha256Hex(): ValueType<string> {
  const allowed = 'a SHA-256 digest (64 hexadecimal characters)';
  return textType(allowed, (text) => {
    if (/^[0-9a-fA-F]{64}$/.test(text)) return ok(text.toLowerCase());
    return fail(`must be ${allowed}; found ${shown(text)}`, 'compute it with `sha256sum FILE` and copy the first field');
  });
}

export function releaseVersion(): ValueType<string> {
  const allowed = 'a version such as 4.1.0';
  return textType(allowed, (text) => {
    if (/^[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?$/.test(text)) return ok(text);
    return fail(`must be ${allowed}; found ${shown(text)}`, 'write MAJOR.MINOR.PATCH without a leading v');
  });
}

export const URL_PLACEHOLDERS = ['version', 'arch'] as const;

/** An http(s) URL that may contain `{version}` and `{arch}` (Debian arch: arm64, amd64). */
export function urlTemplate(): ValueType<string> {
  const url = httpUrl();
  const allowed = 'an http(s) URL, which may contain {version} and {arch} (arm64, amd64)';
  return textType(allowed, (text) => {
    const unknown = /\{([^}]*)\}/g;
    for (let m = unknown.exec(text); m !== null; m = unknown.exec(text)) {
      if (!(URL_PLACEHOLDERS as readonly string[]).includes(m[1] ?? '')) {
        return fail(`must be ${allowed}; found the unknown placeholder {${m[1]}}`, 'only {version} and {arch} are filled in', m.index);
      }
    }
    const sample = text.replaceAll('{version}', '1.0.0').replaceAll('{arch}', 'arm64');
    const parsed = url.schema.safeParse(sample);
    return parsed.success ? ok(text) : fail(`must be ${allowed}`, failureFrom(parsed.error, '').hint);
  });
}

/** FFmpeg overlay coordinates `X:Y`; each may be an expression over main_w, overlay_w, ... */
export function overlayPosition(): ValueType<string> {
  const allowed = 'an FFmpeg overlay position X:Y (numbers or expressions such as main_w-overlay_w-10)';
  return textType(allowed, (text) => {
    if (/^[A-Za-z0-9_+*/.()-]+:[A-Za-z0-9_+*/.()-]+$/.test(text)) return ok(text);
    return fail(`must be ${allowed}; found ${shown(text)}`, 'for example 10:10, or main_w-overlay_w-10:main_h-overlay_h-10');
  });
}

/** A colour as #RRGGBB (HTML's notation), given to FFmpeg as 0xRRGGBB. */
export function rgbColor(): ValueType<string> {
  const allowed = 'a colour #RRGGBB (hexadecimal red, green, blue)';
  return textType(allowed, (text) => {
    if (/^#[0-9A-Fa-f]{6}$/.test(text)) return ok(`0x${text.slice(1).toLowerCase()}`);
    return fail(`must be ${allowed}; found ${shown(text)}`, 'for example #1b2a3a (a dark blue)');
  });
}

/** A size for journald (`SystemMaxUse=`): a number and K, M or G. */
export function byteSize(): ValueType<string> {
  const allowed = 'a size such as 64M (a number followed by K, M or G)';
  return textType(allowed, (text) => {
    if (/^[1-9][0-9]*[KMG]$/.test(text)) return ok(text);
    return fail(`must be ${allowed}; found ${shown(text)}`, 'for example 64M');
  });
}

export function firstOffset(text: string, isBad: (c: string) => boolean): number | undefined {
  const chars = Array.from(text);
  const index = chars.findIndex(isBad);
  return index < 0 ? undefined : index;
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
