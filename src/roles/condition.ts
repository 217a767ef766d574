// `when:` conditions in roles. Deliberately tiny: a path into the render context, optionally
// negated or compared with a literal. Anything richer belongs in the settings model, where it
// can be validated and reported, not in role files.
//   when: platforms.kick            truthy
//   when: "!platforms.kick"         falsy
//   when: encode.encoder == libx264 equality (!= too)

export class ConditionError extends Error {}

function lookup(context: Record<string, unknown>, path: string): unknown {
  let value: unknown = context;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !(part in value)) {
      throw new ConditionError(`unknown name "${path}" in condition`);
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export function evaluateCondition(expression: string, context: Record<string, unknown>): boolean {
  const text = expression.trim();
  const comparison = /^([A-Za-z_][\w.]*)\s*(==|!=)\s*(.+)$/.exec(text);
  if (comparison) {
    const [, path, op, literal] = comparison as unknown as [string, string, string, string];
    const equal = String(lookup(context, path)) === literal.trim().replace(/^["']|["']$/g, '');
    return op === '==' ? equal : !equal;
  }
  const negated = text.startsWith('!');
  const path = negated ? text.slice(1).trim() : text;
  if (!/^[A-Za-z_][\w.]*$/.test(path)) throw new ConditionError(`cannot read condition "${expression}"`);
  const value = Boolean(lookup(context, path));
  return negated ? !value : value;
}
