/** One setting that is wrong or missing: the variable (or config file entry) and what it expects. */
export interface ConfigProblem {
  readonly variable: string;
  readonly expectation: string;
}

/**
 * The configuration stops the start. It carries every problem found, so one start (or one run of the
 * doctor or `skill:package`) names all the settings to change, not one at a time. The message is
 * `VARIABLE: expectation` for one problem, and one such line per problem for several.
 */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(variable: string, expectation: string);
  constructor(problems: readonly ConfigProblem[]);
  constructor(first: string | readonly ConfigProblem[], expectation = '') {
    const problems = typeof first === 'string' ? [{ variable: first, expectation }] : [...first];
    if (problems.length === 0) throw new TypeError('a ConfigError needs at least one problem');
    super(describeProblems(problems));
    this.name = 'ConfigError';
    this.problems = Object.freeze(problems.map((problem) => Object.freeze({ ...problem })));
  }
}

/** `VARIABLE: expectation`, one line per problem; several are counted first, so the list reads as one. */
export function describeProblems(problems: readonly ConfigProblem[]): string {
  const lines = problems.map((problem) => `${problem.variable}: ${problem.expectation}`);
  return lines.length === 1 ? lines[0] : `${lines.length} settings to fix:\n${lines.map((line) => `  - ${line}`).join('\n')}`;
}
