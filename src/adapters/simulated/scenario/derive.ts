/**
 * What the rest of Drover sees of a scenario: the inventory, the policy and the step durations.
 */
import { DEFAULT_STEP_DURATIONS, type StepDurations } from '../../../core/durations.js';
import type { Inventory, InventoryNode, TemplateSpec } from '../../../core/inventory.js';
import { DEFAULT_POLICY, type Policy } from '../../../core/policy.js';
import type { Scenario, ScenarioNode } from './schema.js';

export function templateKey(host: string, flavor: string): string {
  return `${host}-${flavor}`;
}

export function templateAddress(host: string, flavor: string): string {
  return `module.template_${host}_${flavor}`;
}

export function nodeModuleAddress(
  node: Pick<ScenarioNode, 'name' | 'role' | 'terraformAddress'>,
): string {
  if (node.terraformAddress) return node.terraformAddress;
  const module = node.role === 'controlplane' ? 'control_plane_nodes' : 'worker_nodes';
  return `module.${module}["${node.name}"]`;
}

export function deriveTemplates(s: Scenario): Record<string, TemplateSpec> {
  const out: Record<string, TemplateSpec> = {};
  for (const t of s.templates) {
    out[templateKey(t.host, t.flavor)] = {
      address: t.address ?? templateAddress(t.host, t.flavor),
      host: t.host,
      flavor: t.flavor,
      schematic: s.schematics[t.schematic] ?? t.schematic,
    };
  }
  return out;
}

export function deriveInventory(s: Scenario): Inventory {
  const templates = deriveTemplates(s);
  const nodes: InventoryNode[] = s.nodes.map((n) => {
    const key = templateKey(n.host, n.flavor);
    return {
      name: n.name,
      role: n.role,
      host: n.host,
      address: n.address,
      terraformAddresses: [nodeModuleAddress(n)],
      template: key,
      schematic: templates[key]?.schematic ?? '',
      platform: n.platform,
      patches: [...s.patchSets.global, ...s.patchSets[n.role], ...n.patches],
      machineConfig: n.role,
      gpu: n.gpu,
      ...(n.osd || n.storageDomain
        ? {
            storage: {
              osd: n.osd,
              ...(n.storageDomain ? { failureDomain: n.storageDomain } : {}),
            },
          }
        : {}),
      ...(Object.keys(n.labels).length > 0 ? { labels: { ...n.labels } } : {}),
    };
  });
  const patches: Inventory['patches'] = {};
  for (const [id, content] of Object.entries(s.patches)) patches[id] = { id, content };
  return {
    cluster: s.cluster,
    nodes,
    templates,
    patches,
    machineConfigs: {
      controlplane: { kind: 'inline-test', ref: 'controlplane' },
      worker: { kind: 'inline-test', ref: 'worker' },
    },
    expectedEtcdMembers: nodes.filter((n) => n.role === 'controlplane').length,
  };
}

export function derivePolicy(s: Scenario): Policy {
  const o = s.policy;
  return {
    drain: { ...DEFAULT_POLICY.drain, ...o.drain },
    disruption: { ...DEFAULT_POLICY.disruption, ...o.disruption },
    timeouts: { ...DEFAULT_POLICY.timeouts, ...o.timeouts },
    retry: { ...DEFAULT_POLICY.retry, ...o.retry },
    cephNoout: o.cephNoout ?? DEFAULT_POLICY.cephNoout,
  };
}

export function deriveDurations(s: Scenario): StepDurations {
  return { ...DEFAULT_STEP_DURATIONS, ...s.durations };
}
