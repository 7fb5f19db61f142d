/** What the skill half reaches the outside through (filled in with the skill). */
export interface SkillDeps {
  readonly placeholder?: never;
}
