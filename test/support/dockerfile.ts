/**
 * Reads a Dockerfile as Docker's reference describes it, for the test that checks the project's own:
 * parser directives on the first lines, `#` comments, instructions (case-insensitive keywords) whose
 * lines continue after a trailing `\`, and the exec form of `CMD`, `ENTRYPOINT`, `RUN` and `HEALTHCHECK
 * CMD` as a JSON array.
 * @see https://docs.docker.com/reference/dockerfile/#format
 * @see https://docs.docker.com/reference/dockerfile/#parser-directives
 */

/** Every instruction of the Dockerfile reference. @see https://docs.docker.com/reference/dockerfile/#overview */
export const DOCKERFILE_INSTRUCTIONS = [
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
] as const;

export interface Instruction {
  /** Upper case, as the reference writes it. */
  readonly keyword: string;
  /** The rest of the instruction, its continuation lines joined. */
  readonly args: string;
  /** Line of the keyword, from 1. */
  readonly line: number;
}

/** One build stage: its `FROM`, its name (`AS name`) and its instructions. */
export interface Stage {
  readonly image: string;
  readonly name?: string;
  readonly from: Instruction;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  readonly directives: Readonly<Record<string, string>>;
  readonly instructions: readonly Instruction[];
  readonly stages: readonly Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  const directives: Record<string, string> = {};
  let index = 0;
  // Parser directives come first, as `# directive=value`; the first other line ends them.
  for (; index < lines.length; index += 1) {
    const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[index]);
    if (!directive) break;
    directives[directive[1].toLowerCase()] = directive[2];
  }
  const instructions: Instruction[] = [];
  while (index < lines.length) {
    const start = index;
    let text = lines[index];
    index += 1;
    if (/^\s*(#|$)/.test(text)) continue;
    // A trailing backslash continues the instruction; comment lines inside it are dropped.
    while (/\\\s*$/.test(text) && index < lines.length) {
      const next = lines[index];
      index += 1;
      if (/^\s*#/.test(next)) continue;
      text = `${text.replace(/\\\s*$/, '')} ${next.trim()}`;
    }
    const match = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(text);
    if (!match) throw new Error(`line ${start + 1}: not an instruction: ${text}`);
    instructions.push({ keyword: match[1].toUpperCase(), args: match[2].trim(), line: start + 1 });
  }
  return { directives, instructions, stages: stagesOf(instructions) };
}

function stagesOf(instructions: readonly Instruction[]): Stage[] {
  const stages: Array<{ image: string; name?: string; from: Instruction; instructions: Instruction[] }> = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, from: instruction, instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

/** The exec form (`["executable", "param"]`), or `undefined` for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed as string[];
}

/** `--name=value` options at the start of an instruction (`COPY --from=build`, `HEALTHCHECK --interval=10s`), and the rest. */
export function optionsOf(args: string): { options: Record<string, string>; rest: string } {
  const options: Record<string, string> = {};
  let rest = args;
  for (let option = /^--([a-z-]+)=(\S+)\s*/.exec(rest); option; option = /^--([a-z-]+)=(\S+)\s*/.exec(rest)) {
    options[option[1]] = option[2];
    rest = rest.slice(option[0].length);
  }
  return { options, rest };
}
