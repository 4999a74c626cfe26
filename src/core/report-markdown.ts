/** The upgrade report as Markdown: for a terminal, a pull request comment or GITHUB_STEP_SUMMARY. */
import { mixedVersionsLine } from './mixed-versions.js';
import type { UpgradeReport } from './report.js';
import { timelineToMermaid } from './timeline-mermaid.js';

const duration = (seconds: number): string => {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m ${s % 60}s` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
};

/** The header line: which versions changed, and how the nodes get there. */
export function whatChanged(report: Pick<UpgradeReport, 'kind' | 'from' | 'to'>): string {
  const change = `${report.from} → ${report.to}`;
  if (report.kind === 'kubernetes') return `Kubernetes ${change} (talosctl upgrade-k8s)`;
  if (report.kind === 'pets') return `Talos ${change}: nodes upgraded in place`;
  return `Talos ${change}: node VMs recreated from new templates`;
}

/** The title of the timeline chart and SVG. */
export function timelineTitle(
  report: Pick<UpgradeReport, 'kind' | 'from' | 'to' | 'cluster' | 'outcome'>,
): string {
  const what = report.kind === 'kubernetes' ? 'Kubernetes' : 'Talos';
  return `${report.cluster} ${report.kind} upgrade, ${what} ${report.from} to ${report.to}, ${report.outcome}`;
}

/** A Markdown summary for a terminal, a pull request comment or GITHUB_STEP_SUMMARY. */
export function reportToMarkdown(report: UpgradeReport, options: { chart?: boolean } = {}): string {
  const lines: string[] = [];
  const icon = report.outcome === 'succeeded' ? '✅' : report.outcome === 'aborted' ? '⏹️' : '❌';
  lines.push(`## ${icon} Drover ${report.kind} upgrade of ${report.cluster}: ${report.outcome}`);
  lines.push('');
  lines.push(`${whatChanged(report)}${report.resumed ? ' (resumed)' : ''}`);
  lines.push('');
  lines.push(
    `Duration ${duration(report.durationSeconds)} (lower bound ${duration(report.lowerBoundSeconds)}).`,
  );
  // Talos versions: a Kubernetes run never has them (mixedVersionsOf), whatever the field says.
  if (report.mixedVersions && report.kind !== 'kubernetes')
    lines.push('', mixedVersionsLine(report.mixedVersions));
  lines.push(...failureLines(report));
  lines.push('', ...nodeTable(report));
  if (report.notes.length > 0) {
    lines.push('');
    lines.push('Notes:');
    for (const note of report.notes) lines.push(`- ${note}`);
  }
  lines.push('');
  if (options.chart !== false) {
    // A Mermaid gantt: GitHub draws it; a terminal would only show its source.
    const chart = timelineToMermaid(report.timeline, timelineTitle(report));
    lines.push(
      chart ??
        `Timeline: ${report.timeline.rows.length} rows are too many for a chart here; see the SVG written beside --report.`,
    );
    lines.push('');
  }
  lines.push(...violationLines(report));
  return `${lines.join('\n')}\n`;
}

function failureLines(report: UpgradeReport): string[] {
  const f = report.failure;
  if (!f) return [];
  return [
    '',
    `**Stopped at** \`${f.stepId}\`${f.node ? ` on **${f.node}**` : ''}: [${f.code}] ${f.message}`,
    ...(f.hint ? [`Hint: ${f.hint}`] : []),
  ];
}

function nodeTable(report: UpgradeReport): string[] {
  const lines = [
    '| node | role | host | outcome | VM replacements | drain (evicted/forced) | time |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const n of report.nodes) {
    const time = n.steps.reduce((sum, s) => sum + s.durationSeconds, 0);
    const drain = n.drain ? `${n.drain.evicted}/${n.drain.forced}` : '-';
    const outcome = n.leftCordoned ? `${n.outcome} (left cordoned)` : n.outcome;
    lines.push(
      `| ${n.name} | ${n.role} | ${n.host} | ${outcome} | ${n.vmReplacements} | ${drain} | ${duration(time)} |`,
    );
  }
  return lines;
}

function violationLines(report: UpgradeReport): string[] {
  if (report.violations.length === 0)
    return [
      report.invariantsObserved
        ? 'Invariant violations: none.'
        : 'Invariant violations: not observed (a real run has no invariant checker; the journal and audit log record what was done).',
    ];
  return [
    `**Invariant violations: ${report.violations.length}**`,
    ...report.violations.map((v) => `- ${v.invariant}: ${v.message}`),
  ];
}
