/**
 * `talosctl version` prints a Client: block, then one Server: block per node, each line
 * TAB-indented (`\tNODE:        10.5.0.2`, `\tTag:         v1.11.6`).
 */
export interface ServerVersion {
  node?: string;
  /** Without the leading v. */
  tag: string;
}

export function parseServerVersions(stdout: string): ServerVersion[] {
  const out: ServerVersion[] = [];
  let inServer = false;
  let node: string | undefined;
  for (const line of stdout.split('\n')) {
    if (/^Server:\s*$/.test(line)) {
      inServer = true;
      node = undefined;
      continue;
    }
    if (/^\S/.test(line)) {
      inServer = false;
      continue;
    }
    if (!inServer) continue;
    const field = /^\s+([A-Za-z ]+):\s*(.*)$/.exec(line);
    if (!field) continue;
    const [, name, value = ''] = field;
    if (name === 'NODE') node = value.trim();
    if (name === 'Tag') {
      const entry: ServerVersion = { tag: value.trim().replace(/^v/, '') };
      if (node) entry.node = node;
      out.push(entry);
    }
  }
  return out;
}
