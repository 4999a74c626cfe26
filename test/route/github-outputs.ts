/** Reads a GITHUB_OUTPUT file the way the runner does (`name<<DELIMITER` ... `DELIMITER`). */
export function parseGitHubOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match as unknown as [string, string, string];
    const value: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== delimiter; i += 1) value.push(lines[i] ?? '');
    if (lines[i] !== delimiter) throw new Error(`output ${name} is not terminated`);
    outputs[name] = value.join('\n');
  }
  return outputs;
}
