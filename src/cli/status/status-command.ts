/**
 * `drover status` after the command line is parsed: read the status (app/status/read-status.ts)
 * and print it, as text or one JSON document.
 */
import { DroverError } from '../../core/errors.js';
import { mixedVersionsLine } from '../../core/mixed-versions.js';
import { selectionFlags } from '../../core/selection.js';
import { readStatus } from '../../app/status/read-status.js';
import type { StatusOptions, StatusResult } from '../../app/status/read-status.js';
import type { StepRef } from '../../app/status/journal-status.js';

const when = (ms: number) => new Date(ms).toISOString();
const step = (s: StepRef) =>
  `${s.stepId}${s.message ? `: ${s.message}` : ''}${s.code ? ` [${s.code}]` : ''}`;

export function statusText(result: StatusResult): string {
  const lines = [`journal: ${result.journal}`];
  const s = result.status;
  if (s !== undefined) {
    lines.push(
      `run ${s.runId}: ${s.kind ?? '?'} ${s.from ?? '?'} -> ${s.to ?? '?'}, started ${when(s.startedAt)}` +
        (s.attempts > 1 ? `, ${s.attempts} attempts (resumed ${s.attempts - 1}x)` : ''),
    );
    lines.push(
      s.state === 'unfinished'
        ? `state: unfinished: no end recorded (the process died, or it is still running); last entry ${when(s.lastEntryAt)}`
        : `state: ${s.state} (${when(s.lastEntryAt)})`,
    );
    if (s.lastFinished) lines.push(`last step done: ${s.lastFinished.stepId}`);
    if (s.failed) lines.push(`stopped at: ${step(s.failed)}`);
    if (s.reason) lines.push(`reason: [${s.reason.code}] ${s.reason.message ?? ''}`);
    for (const i of s.interrupted)
      lines.push(`interrupted: ${i.stepId} (started ${when(i.at)}, never finished)`);
    lines.push(
      s.cordoned.length > 0
        ? `cordoned (per the journal): ${s.cordoned.join(', ')}`
        : 'cordoned (per the journal): none',
    );
    if (s.selection)
      lines.push(
        `selected run (${selectionFlags(s.selection.requested)}${s.selection.canary ? ', a canary' : ''}): ${s.selection.nodes.join(', ') || 'templates only'}; a run without the selection upgrades the rest`,
      );
    if (s.mixedVersions) lines.push(mixedVersionsLine(s.mixedVersions).replace(/\*\*/g, ''));
    if (s.state === 'succeeded') lines.push('nothing to resume.');
    else {
      const parts: string[] = [];
      if (s.interrupted.length > 0)
        parts.push(
          `re-check the live state of ${s.interrupted.map((i) => i.stepId).join(', ')} and finish or redo them`,
        );
      if (s.remaining)
        parts.push(
          `run the ${s.remaining.count} step(s) not done, next: ${s.remaining.next.map((n) => n.stepId).join(', ') || 'none'}`,
        );
      else if (s.failed) parts.push(`retry from ${s.failed.stepId}`);
      lines.push(`--resume would: ${parts.join('; then ') || 'continue after the last step done'}`);
      if (result.resumeCommand) lines.push(`  ${result.resumeCommand}`);
    }
  }
  for (const note of result.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}

export async function runStatusCommand(options: StatusOptions): Promise<number> {
  const result = await readStatus(options, process.env);
  if (result.status === undefined && result.notes.length > 0 && !options.json) {
    throw new DroverError(
      'input',
      'JOURNAL_EMPTY',
      `${options.journal}: the journal records no run`,
      {
        hint: 'Give the journal of the run: --journal FILE (the upgrade workflow keeps one per kind and target).',
      },
    );
  }
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(statusText(result));
  return 0;
}
