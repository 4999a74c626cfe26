/**
 * The router's outputs: one JSON document (the contract of `--json` and of the Action's
 * outputs), the step outputs derived from it, a Markdown step summary and a short human summary.
 */
import { refusalHint, releaseGateHint } from '../../core/refusals.js';
import type { RouteOutcome } from './run-route.js';

export interface RouteDocument {
  version_changed: boolean;
  old_version: string | null;
  new_version: string;
  upgrade_type: 'none' | 'pets' | 'cattle' | 'refused';
  is_downgrade: boolean;
  hops: string[];
  kubernetes_changed: boolean;
  old_kubernetes_version: string | null;
  new_kubernetes_version: string | null;
  kubernetes_upgrade: 'none' | 'kubernetes' | 'refused';
  kubernetes_hops: string[];
  reason: string;
  code: string | null;
  refusals: { subject: 'talos' | 'kubernetes'; code: string; reason: string }[];
  /** What to do about the first refusal (core/refusals.ts, the same hint plan/upgrade/simulate give). */
  hint: string | null;
  warnings: string[];
  file: string;
  base_revision: string | null;
  base_commit: string | null;
  base_source: string;
  head_revision: string;
  head_commit: string;
}

export function toRouteDocument(outcome: RouteOutcome): RouteDocument {
  const gate = outcome.releaseGate;
  const d = gate
    ? {
        ...outcome.decision,
        upgradeType: 'refused' as const,
        code: gate.code,
        reason: gate.reason,
        refusals: [{ subject: 'talos' as const, code: gate.code, reason: gate.reason }],
      }
    : outcome.decision;
  return {
    version_changed: d.versionChanged,
    old_version: d.oldVersion,
    new_version: d.newVersion,
    upgrade_type: d.upgradeType,
    is_downgrade: d.isDowngrade,
    hops: [...d.hops],
    kubernetes_changed: d.kubernetesChanged,
    old_kubernetes_version: d.oldKubernetesVersion,
    new_kubernetes_version: d.newKubernetesVersion,
    kubernetes_upgrade: d.kubernetesUpgrade,
    kubernetes_hops: [...d.kubernetesHops],
    reason: d.reason,
    code: d.code,
    refusals: d.refusals.map((r) => ({ ...r })),
    hint: gate
      ? releaseGateHint('route')
      : d.refusals[0]
        ? refusalHint(outcome.decision.refusals[0]!, 'route')
        : null,
    warnings: [...outcome.warnings],
    file: outcome.file,
    base_revision: outcome.base.revision,
    base_commit: outcome.base.commit,
    base_source: outcome.base.source,
    head_revision: outcome.head.revision,
    head_commit: outcome.head.commit,
  };
}

export function isRefused(document: RouteDocument): boolean {
  return document.code !== null;
}

/** Every field as a step output: booleans as true/false, null as '', lists as JSON. */
export function toStepOutputs(document: RouteDocument): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(document)) {
    outputs[key] =
      value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  outputs.json = JSON.stringify(document);
  return outputs;
}

export function toMarkdownSummary(document: RouteDocument): string {
  const cell = (value: string | null) => (value === null ? '—' : `\`${value}\``);
  const rows = [
    [
      'Talos',
      cell(document.old_version),
      cell(document.new_version),
      `**${document.upgrade_type}**${document.is_downgrade ? ' (downgrade)' : ''}`,
    ],
    [
      'Kubernetes',
      cell(document.old_kubernetes_version),
      cell(document.new_kubernetes_version),
      `**${document.kubernetes_upgrade}**`,
    ],
  ];
  const lines = [
    `### Drover route: ${document.code ? `refused (${document.code})` : document.upgrade_type}`,
    '',
    '| | base | head | route |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `${escapeMarkdown(document.reason)}`,
  ];
  if (document.hops.length > 1)
    lines.push('', `Talos hops: ${document.hops.map((h) => `\`${h}\``).join(' → ')}`);
  if (document.kubernetes_hops.length > 1)
    lines.push(
      '',
      `Kubernetes hops: ${document.kubernetes_hops.map((h) => `\`${h}\``).join(' → ')}`,
    );
  for (const warning of document.warnings)
    lines.push('', `> [!WARNING]\n> ${escapeMarkdown(warning)}`);
  lines.push(
    '',
    `<sub>${escapeMarkdown(document.file)} at ${cell(document.base_commit?.slice(0, 7) ?? null)} (${document.base_source}) → ${cell(document.head_commit.slice(0, 7))}</sub>`,
    '',
  );
  return lines.join('\n');
}

export function toHumanSummary(document: RouteDocument): string {
  const talos =
    document.old_version === null
      ? `Talos ${document.new_version}`
      : `Talos ${document.old_version} -> ${document.new_version}`;
  const kube =
    document.new_kubernetes_version === null
      ? 'Kubernetes not tracked'
      : `Kubernetes ${document.old_kubernetes_version ?? '(none)'} -> ${document.new_kubernetes_version}: ${document.kubernetes_upgrade}`;
  const head = document.code
    ? `refused [${document.code}] (Talos: ${document.upgrade_type}, Kubernetes: ${document.kubernetes_upgrade})`
    : `route: ${document.upgrade_type}${document.is_downgrade ? ' (downgrade)' : ''}`;
  const lines = [`${head}`, `  ${talos}; ${kube}`, `  ${document.reason}`];
  if (document.hint) lines.push(`  hint: ${document.hint}`);
  if (document.hops.length > 1) lines.push(`  hops: ${document.hops.join(' -> ')}`);
  return `${lines.join('\n')}\n`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[<>|]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
