// What a role names from the render context, read from its files rather than run: every
// Handlebars expression in role.yaml and in its templates (both branches of every {{#if}}), and
// every `when:` condition. Reading the source, not one render, is what makes the answer hold
// for every platform choice: a render only visits the branches its settings take.
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedRole } from '../roles/load.js';

/** Block helpers whose body runs with another `this` (its depth-0 names are not the context's). */
const SCOPING_BLOCKS = new Set(['each', 'with']);

type Node = hbs.AST.Node;

/** What {{x}}, {{#x}}...{{/x}} and (x) have in common. */
interface CallNode {
  path: hbs.AST.PathExpression | hbs.AST.Literal;
  params: hbs.AST.Expression[];
  hash?: hbs.AST.Hash;
  program?: hbs.AST.Program;
  inverse?: hbs.AST.Program;
}

/** Context paths (`BOUCLE`, `encode.encoderArgs`, `platforms.kick`) an expression names. */
export function templateReferences(source: string): string[] {
  const found = new Set<string>();
  const visit = (node: Node | null | undefined, scoped: boolean): void => {
    if (!node) return;
    switch (node.type) {
      case 'Program':
        for (const statement of (node as hbs.AST.Program).body) visit(statement, scoped);
        return;
      case 'MustacheStatement':
      case 'SubExpression':
      case 'BlockStatement': {
        const call = node as unknown as CallNode;
        const hasArguments = call.params.length > 0 || (call.hash?.pairs.length ?? 0) > 0;
        // {{NAME}} is a value; {{helper ARG}} names its arguments, not the helper.
        if (!hasArguments) visit(call.path, scoped);
        for (const param of call.params) visit(param, scoped);
        for (const pair of call.hash?.pairs ?? []) visit(pair.value, scoped);
        const helper = call.path.type === 'PathExpression' ? (call.path as hbs.AST.PathExpression).original : '';
        visit(call.program, scoped || SCOPING_BLOCKS.has(helper));
        visit(call.inverse, scoped);
        return;
      }
      case 'PathExpression': {
        const path = node as hbs.AST.PathExpression;
        if (path.data || path.parts.length === 0) return; // @index, this
        // Inside {{#each}}, `url` is the item's; `../NAME` climbs back to the context.
        if (scoped && path.depth === 0) return;
        found.add(path.parts.join('.'));
        return;
      }
      default:
        return; // content, comments, literals
    }
  };
  visit(Handlebars.parse(source), false);
  return [...found];
}

/** The path a `when:` condition reads (see roles/condition.ts for its grammar). */
export function conditionReference(expression: string): string {
  const match = /^!?\s*([A-Za-z_][\w.]*)/.exec(expression.trim());
  if (!match?.[1]) throw new Error(`cannot read the condition "${expression}"`);
  return match[1];
}

export interface RoleReferences {
  role: string;
  /** Every context path the role names, sorted. */
  paths: string[];
}

/** Every context path a role names: in role.yaml (strings and `when:`) and in its templates. */
export function roleReferences(role: LoadedRole): RoleReferences {
  const paths = new Set<string>();
  const walk = (value: unknown, key: string | undefined): void => {
    if (typeof value === 'string') {
      if (key === 'when') paths.add(conditionReference(value));
      else if (value.includes('{{')) for (const p of templateReferences(value)) paths.add(p);
      if (key === 'template') for (const p of templateReferences(readFileSync(join(role.templatesDir, value), 'utf8'))) paths.add(p);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, undefined);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(role.spec, undefined);
  return { role: role.spec.name, paths: [...paths].sort() };
}
