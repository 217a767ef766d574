// Handlebars rendering of role templates. One Handlebars environment per renderer (never the
// global one) with strict mode (a missing variable is an error, not an empty string) and no HTML
// escaping (these are config files, not web pages): escaping is explicit through helpers.
import type Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { compileTemplate, handlebarsRuntime } from './compiled.js';
import { isConfigError } from '../config/errors.js';
import { Secret } from '../redact/secret.js';
import { shq } from '../util/shell.js';
import { secretSpansOf, type SecretSpans } from '../redact/secret-spans.js';

export interface Rendered {
  content: string;
  /** Clear values of the secrets this render revealed: masked wherever the content is shown. */
  secretValues: string[];
  /** Of a template file: where it puts secrets and the words it writes (see secret-spans.ts). */
  spans?: SecretSpans;
}

export class TemplateError extends Error {
  constructor(
    readonly templatePath: string,
    message: string,
    readonly hint?: string,
  ) {
    super(`${templatePath}: ${message}${hint ? ` (hint: ${hint})` : ''}`);
    this.name = 'TemplateError';
  }
}

interface RenderData {
  secrets: string[];
}

function collector(options: Handlebars.HelperOptions): RenderData {
  return (options.data as { orbis: RenderData }).orbis;
}

/**
 * Compiled templates are kept for the renderer's life; each render gets its own values and its
 * own list of revealed secrets, so one renderer serves every host of a run.
 */
export class TemplateRenderer {
  readonly #hb = handlebarsRuntime().create();
  readonly #cache = new Map<string, Handlebars.TemplateDelegate>();
  readonly #spans = new Map<string, SecretSpans>();
  readonly #compiledDir: string | undefined;

  /** `compiledDir`: where compiled templates are kept between runs (see compiled.ts); none by default. */
  constructor(options: { compiledDir?: string } = {}) {
    this.#compiledDir = options.compiledDir;
    // {{secret KEY}}: the only way a secret's clear value enters a file. Plain {{KEY}} on a
    // Secret prints the mask, so forgetting this helper can never leak, only break the config.
    this.#hb.registerHelper('secret', (value: unknown, options: Handlebars.HelperOptions) => {
      if (!(value instanceof Secret)) throw new Error('the secret helper takes a secret setting');
      collector(options).secrets.push(value.reveal());
      return value.reveal();
    });
    this.#hb.registerHelper('shq', (value: unknown) => shq(String(value)));
    this.#hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.#hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
    this.#hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
    this.#hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
    this.#hb.registerHelper('not', (a: unknown) => !a);
    this.#hb.registerHelper('mul', (a: unknown, b: unknown) => Number(a) * Number(b));
    this.#hb.registerHelper('add', (a: unknown, b: unknown) => Number(a) + Number(b));
    this.#hb.registerHelper('join', (list: unknown, sep: unknown) =>
      Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ' ') : '',
    );
  }

  #compile(path: string): Handlebars.TemplateDelegate {
    let template = this.#cache.get(path);
    if (!template) {
      let source: string;
      try {
        source = readFileSync(path, 'utf8');
      } catch (error) {
        throw new TemplateError(path, `cannot read template: ${(error as Error).message}`);
      }
      template = compileTemplate(this.#hb, source, this.#compiledDir);
      this.#cache.set(path, template);
      this.#spans.set(path, secretSpansOf(source));
    }
    return template;
  }

  /** Render an inline string from a role file (a path, a unit name, a command). */
  renderString(text: string, context: Record<string, unknown>, where: string): Rendered {
    if (!text.includes('{{')) return { content: text, secretValues: [] };
    let template = this.#cache.get(`inline:${text}`);
    if (!template) {
      template = compileTemplate(this.#hb, text, this.#compiledDir);
      this.#cache.set(`inline:${text}`, template);
    }
    const data: RenderData = { secrets: [] };
    try {
      return { content: template(context, { data: { orbis: data } }), secretValues: data.secrets };
    } catch (error) {
      // A setting the context refused (e.g. no BTFS checksum for this host) is the user's
      // configuration, said where they wrote it: not a template's problem.
      if (isConfigError(error)) throw error;
      throw new TemplateError(where, error instanceof Error ? error.message : String(error), 'check the variable names used in the role');
    }
  }

  render(path: string, context: Record<string, unknown>): Rendered {
    const data: RenderData = { secrets: [] };
    let content: string;
    try {
      content = this.#compile(path)(context, { data: { orbis: data } });
    } catch (error) {
      if (isConfigError(error)) throw error;
      // Handlebars messages name the missing variable and the template line: keep them.
      const message = error instanceof Error ? error.message : String(error);
      throw new TemplateError(path, message, 'check the variable names used in the template');
    }
    // Files on the Pi are byte-exact LF without BOM (a BOM makes systemd refuse a script).
    if (content.startsWith('\uFEFF')) throw new TemplateError(path, 'rendered content starts with a UTF-8 BOM', 'save the template without BOM');
    if (content.includes('\r')) throw new TemplateError(path, 'rendered content contains CR (Windows line endings)', 'convert the template to LF line endings');
    const spans = this.#spans.get(path);
    return { content, secretValues: data.secrets, ...(spans ? { spans } : {}) };
  }
}
