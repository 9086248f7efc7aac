// The Dockerfile read as BuildKit reads it (instructions, line continuations, stages), and the rules
// of the one suite image checked on it without a Docker engine.

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG instructions before the first FROM (usable in FROM lines). */
  globalArgs: Map<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*?)\s*$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const args = m[2]!.replace(/\s+/g, ' ');
    if (op === 'FROM') {
      const [from, as, name] = args.replace(/^--platform=\S+ /, '').split(' ');
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (op === 'ARG') {
        const [key, value = ''] = args.split('=');
        globalArgs.set(key!, value);
      }
    } else {
      stages[stages.length - 1]!.instructions.push({ op, args });
    }
  }
  return { globalArgs, stages };
}

const DIGEST = /@sha256:[a-f0-9]{64}$/;

/** What breaks the rules of the suite's one image (issue #19), one line each; empty when it holds them. */
export function dockerfileProblems(text: string): string[] {
  const { globalArgs, stages } = parseDockerfile(text);
  const problems: string[] = [];
  const names = new Set<string>();
  const stageOf = (name: string) => stages.find((s) => s.name === name);
  for (const stage of stages) {
    const base = stage.from.replace(/^\$\{?(\w+)\}?$/, (_, arg: string) => globalArgs.get(arg) ?? '');
    if (!names.has(stage.from) && !DIGEST.test(base)) problems.push(`FROM ${stage.from}: the base image is not pinned by digest`);
    if (stage.name) names.add(stage.name);
    let sourcesCopied = false;
    for (const i of stage.instructions) {
      if (i.op === 'ARG' && /^SERVICE\b/.test(i.args)) problems.push('ARG SERVICE: one image for every service, the command picks it');
      if (i.op === 'COPY' && !i.args.includes('--from=')) {
        const sources = i.args.split(' ').filter((a) => !a.startsWith('--')).slice(0, -1);
        if (sources.some((s) => s !== 'package.json' && s !== 'package-lock.json')) sourcesCopied = true;
      }
      if (i.op === 'RUN' && /npm (ci|install)\b/.test(i.args) && sourcesCopied) {
        problems.push(`stage ${stage.name ?? stage.from}: npm ci must come before the sources are copied (only package*.json), so builds reuse the install`);
      }
    }
  }
  const runtime = stages[stages.length - 1];
  if (!runtime) return [...problems, 'no FROM'];
  const modules = runtime.instructions.find((i) => i.op === 'COPY' && /\/node_modules \.\/node_modules$/.test(i.args));
  const from = modules && /--from=(\S+)/.exec(modules.args)?.[1];
  const depsStage = from ? stageOf(from) : undefined;
  const production = depsStage?.instructions.some((i) => i.op === 'RUN' && /npm (ci|prune)\b[^&]*--omit=dev/.test(i.args));
  if (!production) problems.push('the final stage must take node_modules from a stage with production dependencies only (npm ci --omit=dev)');
  if (runtime.instructions.some((i) => i.op === 'RUN' && /npm (ci|install)\b/.test(i.args))) problems.push('the final stage installs packages');
  const user = [...runtime.instructions].reverse().find((i) => i.op === 'USER');
  if (!user || /^(root|0)(:|$)/.test(user.args)) problems.push('the final stage must run as a non-root user');
  for (const i of runtime.instructions.filter((x) => x.op === 'COPY')) {
    if (!i.args.includes('--chown=root:root')) problems.push(`COPY ${i.args}: files in the image are owned by root (read-only to the user that runs)`);
  }
  const cmd = runtime.instructions.find((i) => i.op === 'CMD');
  if (!cmd || !cmd.args.startsWith('[')) problems.push('CMD in exec form, so the container command replaces it');
  return problems;
}
