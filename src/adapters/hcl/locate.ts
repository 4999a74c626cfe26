/**
 * hcl2json's JSON carries no positions, so messages find the line in the source text. This is
 * for messages only (never for values): a best effort that ignores comments and strings.
 */

/** 1-based line of `default` inside `variable "<name>"`, else of the block itself, else null. */
export function lineOfVariableDefault(text: string, name: string): number | null {
  const lines = text.split(/\r?\n/);
  const header = new RegExp(`^\\s*variable\\s+"?${escape(name)}"?\\s*\\{`);
  const start = lines.findIndex((line) => header.test(stripComment(line)));
  if (start < 0) return null;
  let depth = 0;
  let heredoc: string | null = null;
  for (let i = start; i < lines.length; i += 1) {
    const raw = lines[i] ?? '';
    if (heredoc !== null) {
      if (raw.trim() === heredoc) heredoc = null;
      continue;
    }
    const line = stripComment(raw);
    const body = i === start ? line.slice(line.indexOf('{') + 1) : line;
    if ((i === start || depth === 1) && /(^|[\s{,;])default\s*=/.test(body)) return i + 1;
    depth += count(line, '{') - count(line, '}');
    heredoc = /<<-?([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(line)?.[1] ?? null;
    if (depth <= 0) break;
  }
  return start + 1;
}

/** 1-based line of a top-level `<name> =` (tfvars) or `"<name>":` (tfvars.json), else null. */
export function lineOfAssignment(text: string, name: string): number | null {
  const pattern = new RegExp(`^\\s*("${escape(name)}"\\s*:|${escape(name)}\\s*=)`);
  const index = text.split(/\r?\n/).findIndex((line) => pattern.test(stripComment(line)));
  return index < 0 ? null : index + 1;
}

function stripComment(line: string): string {
  return line.replace(/(^|\s)(#|\/\/).*$/, '');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function count(text: string, ch: string): number {
  return text.split(ch).length - 1;
}
