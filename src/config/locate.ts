// Turn "this variable is wrong" into "this file, this line, this column".
import type { ConfigIssue } from './errors.js';
import { describeOrigin, type ValueOrigin } from './origins.js';
import type { SettingName } from './settings.js';

/** An issue about a setting, before it is placed: the checks know names, not positions. */
export interface SettingProblem {
  variable: SettingName;
  message: string;
  hint?: string;
  /** Character offset inside the value, when the fault is one character. */
  offset?: number;
}

export interface Locatable {
  origin: ValueOrigin;
  columns?: readonly number[];
}

export function locateProblem(problem: SettingProblem, where: Locatable): ConfigIssue {
  const issue: ConfigIssue = { variable: problem.variable, message: problem.message };
  if (problem.hint !== undefined) issue.hint = problem.hint;
  Object.assign(issue, positionOf(problem.variable, where, problem.offset));
  return issue;
}

function positionOf(name: SettingName, where: Locatable, offset: number | undefined): Partial<ConfigIssue> {
  const origin = where.origin;
  switch (origin.kind) {
    case 'file': {
      const col = offset === undefined ? origin.col : (where.columns?.[offset] ?? origin.col);
      return { file: origin.file, line: origin.line, col };
    }
    case 'layer':
      return origin.position === undefined ? { source: origin.layer } : { ...origin.position };
    case 'default':
      return { source: 'default value' };
    default:
      return { source: describeOrigin(origin, name) };
  }
}
