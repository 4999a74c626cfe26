/**
 * The timeline as a self-contained SVG (no scripts, no external fonts or styles): one row per
 * node, each step attempt a bar coloured by its kind, the idle time between a node's steps
 * hatched, failed attempts outlined in red and interrupted ones dashed, each resume and the
 * lower bound a vertical line. Every bar carries a <title> (hover text). Pure text.
 */
import type { StepKind, Timeline, TimelineBar, TimelineRow } from './timeline.js';
import { STEP_KINDS } from './timeline.js';

export const KIND_COLOURS: Record<StepKind, string> = {
  template: '#8e6bb8',
  gate: '#e6a700',
  drain: '#4c8bd6',
  state: '#6c757d',
  storage: '#17a2a2',
  replace: '#c2571a',
  config: '#2e9e5b',
  wait: '#9fc5e8',
  other: '#bbbbbb',
};

const KIND_LABELS: Record<StepKind, string> = {
  template: 'templates',
  gate: 'gates and checks',
  drain: 'cordon, drain, uncordon',
  state: 'state backup and plan',
  storage: 'Ceph noout',
  replace: 'replace or upgrade',
  config: 'machine config',
  wait: 'waits: boot, Ready, etcd, GPU',
  other: 'other',
};

const LABEL_WIDTH = 190;
const CHART_WIDTH = 1000;
const ROW_HEIGHT = 18;
const BAR_HEIGHT = 12;
const HEADER = 100;
const FOOTER = 28;
const TICK_STEPS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];

/** Text safe inside an XML element or a double-quoted attribute. */
export function xmlText(text: string): string {
  return Array.from(text, (c) => (c.charCodeAt(0) < 32 && c !== '\t' ? ' ' : c))
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const clock = (seconds: number): string => {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
};

const num = (n: number): string => String(Math.round(n * 10) / 10);

function barSvg(bar: TimelineBar, x: (s: number) => number, y: number): string {
  const left = x(bar.start);
  const width = Math.max(1, x(bar.end) - left);
  const stroke =
    bar.outcome === 'failed' || bar.outcome === 'aborted'
      ? ' stroke="#d00000" stroke-width="2"'
      : bar.outcome === 'interrupted'
        ? ' stroke="#000000" stroke-width="1" stroke-dasharray="3 2"'
        : '';
  const title = `${bar.stepId}${bar.attempt > 1 ? ` (attempt ${bar.attempt})` : ''}: ${bar.outcome}, ${clock(bar.start)} to ${clock(bar.end)} (${num(bar.end - bar.start)} s)`;
  return `<rect class="step ${bar.kind} ${bar.outcome}" x="${num(left)}" y="${y}" width="${num(width)}" height="${BAR_HEIGHT}" fill="${KIND_COLOURS[bar.kind]}"${stroke}><title>${xmlText(title)}</title></rect>`;
}

/** Where things go: seconds to x, and the chart's size. */
interface Frame {
  span: number;
  x: (seconds: number) => number;
  width: number;
  height: number;
  bottom: number;
}

export function timelineToSvg(timeline: Timeline, title: string): string {
  const span = Math.max(timeline.durationSeconds, timeline.lowerBoundSeconds, 1);
  const bottom = HEADER + timeline.rows.length * ROW_HEIGHT;
  const frame: Frame = {
    span,
    x: (seconds: number) => LABEL_WIDTH + (Math.max(0, seconds) / span) * CHART_WIDTH,
    width: LABEL_WIDTH + CHART_WIDTH + 20,
    height: bottom + FOOTER,
    bottom,
  };
  const { width, height } = frame;
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${xmlText(title)}</title>`,
    '<defs><pattern id="idle" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3f3f3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c8c8c8" stroke-width="2"/></pattern></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">${xmlText(title)}</text>`,
    ...legendSvg(width),
    // Row stripes under everything, then the time axis, then the rows.
    ...timeline.rows.flatMap((_, i) =>
      i % 2 === 1
        ? [
            `<rect x="0" y="${HEADER + i * ROW_HEIGHT}" width="${width}" height="${ROW_HEIGHT}" fill="#f6f6f6"/>`,
          ]
        : [],
    ),
    ...axisSvg(frame),
    ...timeline.rows.flatMap((row, i) => rowSvg(row, HEADER + i * ROW_HEIGHT, frame.x)),
    ...markersSvg(timeline, frame),
    `<text x="${width - 8}" y="18" text-anchor="end">took ${clock(timeline.durationSeconds)}</text>`,
    '</svg>',
  ];
  return `${out.join('\n')}\n`;
}

/** Legend: the kinds, idle time, failed and interrupted attempts; wrapped to the width. */
function legendSvg(width: number): string[] {
  const out: string[] = [];
  let lx = 8;
  let ly = 30;
  const legend = (style: string, label: string) => {
    const room = 22 + label.length * 6;
    if (lx + room > width) [lx, ly] = [8, ly + 16];
    out.push(
      `<g class="legend"><rect x="${lx}" y="${ly}" width="12" height="10" ${style}/><text x="${lx + 16}" y="${ly + 9}">${xmlText(label)}</text></g>`,
    );
    lx += room;
  };
  for (const kind of STEP_KINDS) legend(`fill="${KIND_COLOURS[kind]}"`, KIND_LABELS[kind]);
  legend('fill="url(#idle)"', 'waiting between steps');
  legend('fill="#ffffff" stroke="#d00000" stroke-width="2"', 'failed');
  legend('fill="#ffffff" stroke="#000000" stroke-dasharray="3 2"', 'interrupted');
  return out;
}

function axisSvg({ span, x, bottom }: Frame): string[] {
  const out: string[] = [];
  const tick = TICK_STEPS.find((s) => span / s <= 12) ?? TICK_STEPS[TICK_STEPS.length - 1]!;
  for (let t = 0; t <= span; t += tick) {
    out.push(
      `<line class="tick" x1="${num(x(t))}" y1="${HEADER - 6}" x2="${num(x(t))}" y2="${bottom}" stroke="#e4e4e4"/>`,
    );
    out.push(
      `<text x="${num(x(t))}" y="${HEADER - 10}" text-anchor="middle" fill="#555555">${clock(t)}</text>`,
    );
  }
  return out;
}

function rowSvg(row: TimelineRow, top: number, x: (s: number) => number): string[] {
  const barTop = top + (ROW_HEIGHT - BAR_HEIGHT) / 2;
  return [
    `<g class="row" data-node="${xmlText(row.name)}">`,
    `<text x="8" y="${top + 13}">${xmlText(row.name)}</text>`,
    `<text x="${LABEL_WIDTH - 8}" y="${top + 13}" text-anchor="end" fill="#777777" font-size="10">${xmlText(row.role)}</text>`,
    ...row.waits.map(
      (wait) =>
        `<rect class="waiting" x="${num(x(wait.start))}" y="${barTop}" width="${num(Math.max(1, x(wait.end) - x(wait.start)))}" height="${BAR_HEIGHT}" fill="url(#idle)"><title>waiting ${num(wait.end - wait.start)} s</title></rect>`,
    ),
    ...row.bars.map((bar) => barSvg(bar, x, barTop)),
    '</g>',
  ];
}

/** Each resume and the lower bound: vertical lines across the rows. */
function markersSvg(timeline: Timeline, { x, bottom }: Frame): string[] {
  const lb = x(timeline.lowerBoundSeconds);
  return [
    ...timeline.runs
      .filter((r) => r.resumed)
      .map(
        (run) =>
          `<g class="resume"><line x1="${num(x(run.start))}" y1="${HEADER - 6}" x2="${num(x(run.start))}" y2="${bottom}" stroke="#555555" stroke-dasharray="2 3"/><text x="${num(x(run.start) + 3)}" y="${bottom + 12}" fill="#555555">resumed ${clock(run.start)}</text></g>`,
      ),
    `<g class="lower-bound"><line x1="${num(lb)}" y1="${HEADER - 6}" x2="${num(lb)}" y2="${bottom}" stroke="#1a7f37" stroke-width="2" stroke-dasharray="6 3"/><text x="${num(lb - 3)}" y="${bottom + 24}" text-anchor="end" fill="#1a7f37">lower bound ${clock(timeline.lowerBoundSeconds)}</text></g>`,
  ];
}
