import { parse as parseXml, validate as validateXml } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Timeline, TimelineBar } from './timeline.js';
import { MERMAID_MAX_ROWS, mermaidText, timelineToMermaid } from './timeline-mermaid.js';
import { timelineToSvg, xmlText } from './timeline-svg.js';

const bar = (over: Partial<TimelineBar>): TimelineBar => ({
  stepId: 'n/drain',
  label: 'drain',
  action: 'drain',
  kind: 'drain',
  attempt: 1,
  start: 0,
  end: 60,
  outcome: 'succeeded',
  ...over,
});

const HOSTILE = 'evil: name; #1 %% <b>&"x\'\nnext';

const timeline: Timeline = {
  origin: '2026-01-01T00:00:00.000Z',
  durationSeconds: 900,
  lowerBoundSeconds: 600,
  runs: [
    { start: 0, resumed: false },
    { start: 500, resumed: true },
  ],
  rows: [
    {
      name: HOSTILE,
      role: 'worker',
      bars: [
        bar({ label: HOSTILE }),
        bar({ stepId: 'n/gate-health', label: 'gate-health', kind: 'gate', start: 60, end: 65 }),
        bar({
          stepId: 'n/replace-vm',
          label: 'replace-vm',
          kind: 'replace',
          start: 100,
          end: 400,
          outcome: 'interrupted',
        }),
        bar({
          stepId: 'n/replace-vm',
          label: 'replace-vm',
          kind: 'replace',
          start: 500,
          end: 800,
          outcome: 'failed',
          attempt: 2,
        }),
        bar({ stepId: 'n/uncordon', label: 'uncordon', start: 800, end: 800, outcome: 'skipped' }),
      ],
      waits: [{ start: 65, end: 100 }],
    },
  ],
};

describe('timelineToMermaid', () => {
  const chart = timelineToMermaid(timeline, `title ${HOSTILE}`) ?? '';
  const lines = chart.split('\n');

  it('is one fenced gantt whose every statement parses (names cannot break the grammar)', () => {
    expect(lines[0]).toBe('```mermaid');
    expect(lines.at(-1)).toBe('```');
    expect(lines.slice(1, 5)).toEqual(['---', 'displayMode: compact', '---', 'gantt']);
    for (const line of lines.slice(5, -1))
      expect(line).toMatch(
        /^ {2}(title [^:;#%\n]*%?[^:;#%\n]*|dateFormat YYYY-MM-DD HH:mm:ss|axisFormat %H:%M|todayMarker off|section [^:;#\n]+|[^:;#\n]+ :((done|active|crit|milestone), )?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d, \d+s)$/,
      );
    expect(chart).not.toContain('%%');
  });

  it('tags gates active, failed and interrupted attempts crit, and leaves skipped steps out', () => {
    expect(lines).toContain('  gate-health :active, 2026-01-01 00:01:00, 5s');
    expect(lines).toContain('  replace-vm (interrupted) :crit, 2026-01-01 00:01:40, 300s');
    expect(lines).toContain('  replace-vm attempt 2 (failed) :crit, 2026-01-01 00:08:20, 300s');
    expect(chart).not.toContain('uncordon');
  });

  it('marks each resume and the lower bound as milestones', () => {
    expect(lines).toContain('  resumed :milestone, 2026-01-01 00:08:20, 0s');
    expect(lines).toContain('  lower bound :milestone, 2026-01-01 00:10:00, 0s');
  });

  it('gives way to the SVG when there are too many rows to read', () => {
    const many = {
      ...timeline,
      rows: Array.from({ length: MERMAID_MAX_ROWS + 1 }, (_, i) => ({
        ...timeline.rows[0]!,
        name: `n-${i}`,
      })),
    };
    expect(timelineToMermaid(many, 't')).toBeUndefined();
  });

  it('mermaidText keeps plain names and neutralises the grammar characters', () => {
    expect(mermaidText('k8s-work-1')).toBe('k8s-work-1');
    expect(mermaidText('a:b;c#d\ne%%%f')).toBe('a b c d e%f');
    expect(mermaidText(':;#')).toBe('-');
  });
});

describe('timelineToSvg', () => {
  const svg = timelineToSvg(timeline, `title ${HOSTILE}`);

  it('is well-formed, self-contained XML whatever the names hold', () => {
    expect(validateXml(svg)).toBe(true);
    const doc = parseXml(svg, { ignoreAttributes: false, attributeNamePrefix: '@_' }) as {
      svg: { '@_xmlns': string; title: string };
    };
    expect(doc.svg['@_xmlns']).toBe('http://www.w3.org/2000/svg');
    expect(svg).not.toMatch(/<script|<image|href=|@import|url\((?!#idle\))/);
  });

  it('draws bars by kind and outcome, the waiting time, resumes and the lower bound', () => {
    expect(svg).toMatch(/<rect class="step drain succeeded" x="190" [^>]*fill="#4c8bd6"/);
    expect(svg).toMatch(/class="step replace interrupted"[^>]*stroke-dasharray="3 2"/);
    expect(svg).toMatch(/class="step replace failed"[^>]*stroke="#d00000"/);
    expect(svg).toMatch(
      /<rect class="waiting" [^>]*fill="url\(#idle\)"><title>waiting 35 s<\/title>/,
    );
    expect(svg).toContain('resumed 8:20');
    // 600 of 900 seconds across a 1000-pixel chart that starts at 190.
    expect(svg).toMatch(/<g class="lower-bound"><line x1="856.7"/);
    expect(svg).toContain('lower bound 10:00');
  });

  it('xmlText escapes markup and drops control characters', () => {
    expect(xmlText('<a & "b" \'c\'>\u0001')).toBe('&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt; ');
  });
});
