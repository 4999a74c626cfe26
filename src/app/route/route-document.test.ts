import { describe, expect, it } from 'vitest';
import { decideRoute } from '../../core/route.js';
import { versionOf } from '../../core/version.js';
import {
  toHumanSummary,
  toMarkdownSummary,
  toRouteDocument,
  toStepOutputs,
} from './route-document.js';
import type { RouteOutcome } from './run-route.js';

const outcome = (oldTalos: string, newTalos: string, warnings: string[] = []): RouteOutcome => ({
  decision: decideRoute({
    oldTalos: versionOf(oldTalos),
    newTalos: versionOf(newTalos),
    oldKubernetes: null,
    newKubernetes: null,
  }),
  warnings,
  base: { revision: 'HEAD^', commit: 'a'.repeat(40), source: 'parent' },
  head: { revision: 'HEAD', commit: 'b'.repeat(40) },
  file: 'terraform/variables.tf',
});

describe('route document', () => {
  it('carries every contract field', () => {
    const document = toRouteDocument(outcome('1.8.3', '1.11.0'));
    expect(Object.keys(document)).toEqual(
      expect.arrayContaining([
        'version_changed',
        'old_version',
        'new_version',
        'upgrade_type',
        'is_downgrade',
        'hops',
        'kubernetes_changed',
        'old_kubernetes_version',
        'new_kubernetes_version',
        'kubernetes_upgrade',
        'reason',
        'code',
      ]),
    );
    expect(document).toMatchObject({
      upgrade_type: 'refused',
      code: 'FORBIDDEN_HOP',
      hops: ['1.10.9', '1.11.0'],
    });
  });

  it('renders step outputs as strings: booleans, empty for null, JSON for lists, plus the whole document', () => {
    const outputs = toStepOutputs(toRouteDocument(outcome('1.10.8', '1.10.9', ['w'])));
    expect(outputs).toMatchObject({
      version_changed: 'true',
      is_downgrade: 'false',
      hops: '["1.10.9"]',
      old_kubernetes_version: '',
      code: '',
      warnings: '["w"]',
    });
    expect(JSON.parse(outputs.json ?? '')).toMatchObject({ upgrade_type: 'pets' });
  });

  it('writes a Markdown summary with hops and warnings, escaping table breakers', () => {
    const markdown = toMarkdownSummary(toRouteDocument(outcome('1.8.3', '1.11.0', ['a | b <c>'])));
    expect(markdown).toContain('### Drover route: refused (FORBIDDEN_HOP)');
    expect(markdown).toContain('Talos hops: `1.10.9` → `1.11.0`');
    expect(markdown).toContain('> a &#124; b &#60;c&#62;');
  });

  it('prints a short human summary', () => {
    expect(toHumanSummary(toRouteDocument(outcome('1.10.8', '1.11.0')))).toBe(
      'route: cattle\n  Talos 1.10.8 -> 1.11.0; Kubernetes not tracked\n  Talos line change 1.10.8 -> 1.11.0: rebuild nodes (cattle)\n',
    );
  });
});
