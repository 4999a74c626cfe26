/**
 * `talosctl upgrade --wait` writes one line per update to stderr when it is not a TTY:
 * `"<node>": <message>` (Go %q). We parse them for progress and to tell, after a failure, how
 * far the node got (a drop during the reboot may still have upgraded it).
 */
export interface UpgradeProgress {
  node: string;
  message: string;
}

export function parseProgressLine(line: string): UpgradeProgress | undefined {
  const match = /^"((?:[^"\\]|\\.)*)": (.*)$/.exec(line.trim());
  if (!match?.[1] || match[2] === undefined) return undefined;
  return { node: match[1], message: match[2] };
}

/** Facts from the progress seen, for the error details. */
export function summariseProgress(lines: readonly UpgradeProgress[]): {
  started: boolean;
  rebooting: boolean;
  postCheckPassed: boolean;
  last?: string;
} {
  const summary: { started: boolean; rebooting: boolean; postCheckPassed: boolean; last?: string } =
    {
      started: lines.some(
        (l) => /^(sequence|phase|task): /.test(l.message) || /^actor ID: /.test(l.message),
      ),
      rebooting: lines.some(
        (l) => /^unavailable, retrying/.test(l.message) || /^stage: BOOTING/.test(l.message),
      ),
      postCheckPassed: lines.some((l) => l.message === 'post check passed'),
    };
  const last = lines.at(-1)?.message;
  if (last !== undefined) summary.last = last;
  return summary;
}
