/**
 * With several `-n` nodes, talosctl reports per-node failures as a go-multierror list:
 *   WARNING: 1 error occurred:            (exit 0, some nodes answered)
 *   error getting status: 2 errors occurred:   (exit 1, none did)
 *   \t* 10.5.0.3: rpc error: code = Unavailable desc = ...
 * Node labels are exactly the `-n` strings, so we attribute lines by the nodes we asked for.
 */
const LIST_HEADER = /(\d+) errors? occurred:/;

export interface MultiNodeErrors {
  /** The WARNING form: exit 0 with partial results. */
  warning: boolean;
  byNode: Map<string, string>;
  /** Error lines that name none of the requested nodes. */
  unattributed: string[];
}

export function parseMultiNodeErrors(stderr: string, nodes: readonly string[]): MultiNodeErrors {
  const result: MultiNodeErrors = { warning: false, byNode: new Map(), unattributed: [] };
  const lines = stderr.split('\n');
  const headerIndex = lines.findIndex((l) => LIST_HEADER.test(l));
  if (headerIndex < 0) return result;
  result.warning = /^WARNING:/.test(lines[headerIndex] ?? '');
  // Longest labels first so "10.0.0.1" never claims a line of "10.0.0.11".
  const byLength = [...nodes].sort((a, b) => b.length - a.length);
  for (const line of lines.slice(headerIndex + 1)) {
    const item = /^\t\* (.*)$/.exec(line);
    if (!item?.[1]) continue;
    const text = item[1];
    const node = byLength.find((n) => text.startsWith(`${n}: `));
    if (node) result.byNode.set(node, text.slice(node.length + 2));
    else result.unattributed.push(text);
  }
  return result;
}
