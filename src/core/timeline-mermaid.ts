/**
 * The timeline as a Mermaid gantt chart, which GitHub renders in Markdown (step summaries,
 * issues, files). One section per node, one task per step attempt; gates and waits are
 * `active`, failed or interrupted attempts `crit`; the lower bound and each resume are
 * milestones. Pure text.
 *
 * One row per node through the compact display mode. Syntax kept to what every Mermaid version reads: start times in `YYYY-MM-DD HH:mm:ss`
 * (UTC; Mermaid draws them as local times, the same shift for every bar) and lengths in whole
 * seconds (`42s`), never a millisecond unit that older versions read as minutes.
 */
import type { Timeline, TimelineBar } from './timeline.js';

/** More rows than this make an unreadable chart: the Markdown then points at the SVG. */
export const MERMAID_MAX_ROWS = 60;

/**
 * Text that cannot break the gantt grammar: `:` ends a task name, `#` and `;` start entities
 * and statements, `%%` starts a comment, a line break ends the statement.
 */
export function mermaidText(text: string): string {
  const printable = Array.from(text, (c) => (c.charCodeAt(0) < 32 || c === '\u007f' ? ' ' : c));
  const cleaned = printable
    .join('')
    .replace(/%+/g, '%')
    .replace(/[:;#]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned === '' ? '-' : cleaned;
}

const at = (origin: number, seconds: number): string =>
  new Date(origin + Math.round(seconds) * 1000).toISOString().slice(0, 19).replace('T', ' ');

function tags(bar: TimelineBar): string {
  if (bar.outcome === 'failed' || bar.outcome === 'aborted' || bar.outcome === 'interrupted')
    return 'crit, ';
  if (bar.kind === 'gate' || bar.kind === 'wait') return 'active, ';
  return 'done, ';
}

function taskName(bar: TimelineBar): string {
  const suffix = bar.outcome === 'succeeded' ? '' : ` (${bar.outcome})`;
  return mermaidText(`${bar.label}${bar.attempt > 1 ? ` attempt ${bar.attempt}` : ''}${suffix}`);
}

/** The fenced ```mermaid block, or undefined when there are too many rows to draw. */
export function timelineToMermaid(timeline: Timeline, title: string): string | undefined {
  const rows = timeline.rows.filter((r) => r.bars.some((b) => b.outcome !== 'skipped'));
  if (rows.length > MERMAID_MAX_ROWS) return undefined;
  const origin = Date.parse(timeline.origin);
  const lines = [
    '```mermaid',
    // Compact: a node's steps, which never overlap, share one row (Mermaid 10.3+; older
    // versions ignore it and give each step its own row).
    '---',
    'displayMode: compact',
    '---',
    'gantt',
    `  title ${mermaidText(title)}`,
    '  dateFormat YYYY-MM-DD HH:mm:ss',
    '  axisFormat %H:%M',
    '  todayMarker off',
  ];
  for (const row of rows) {
    lines.push(`  section ${mermaidText(row.name)}`);
    for (const bar of row.bars) {
      if (bar.outcome === 'skipped') continue; // nothing was done: no time to draw
      const seconds = Math.max(1, Math.round(bar.end - bar.start));
      lines.push(`  ${taskName(bar)} :${tags(bar)}${at(origin, bar.start)}, ${seconds}s`);
    }
  }
  lines.push('  section markers');
  for (const run of timeline.runs.filter((r) => r.resumed))
    lines.push(`  resumed :milestone, ${at(origin, run.start)}, 0s`);
  lines.push(`  lower bound :milestone, ${at(origin, timeline.lowerBoundSeconds)}, 0s`);
  lines.push('```');
  return lines.join('\n');
}
