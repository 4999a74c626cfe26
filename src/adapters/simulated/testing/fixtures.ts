/**
 * Test support: a small cluster (3 control plane nodes, 4 workers on 3 hosts, one GPU worker,
 * Ceph, a PDB-guarded deployment) and a helper to start it with extra scenario fields.
 */
import type { InventoryNode } from '../../../core/inventory.js';
import { parseScenario } from '../scenario/load.js';
import { NVIDIA_PATCH, BASE_SCHEMATIC, GPU_SCHEMATIC } from '../scenario/reference.js';
import type { Scenario, ScenarioInput } from '../scenario/schema.js';
import { createSimulatedCluster, type SimulatedCluster } from '../index.js';

export function smallScenarioInput(): ScenarioInput {
  return {
    name: 'small',
    upgrade: {
      kind: 'cattle',
      talos: { from: '1.10.8', to: '1.11.0' },
      kubernetes: { from: '1.33.5' },
    },
    hosts: ['h1', 'h2', 'h3'],
    schematics: { base: BASE_SCHEMATIC, gpu: GPU_SCHEMATIC },
    templates: [
      { host: 'h1', flavor: 'base', schematic: 'base' },
      { host: 'h2', flavor: 'base', schematic: 'base' },
      { host: 'h3', flavor: 'base', schematic: 'base' },
      { host: 'h3', flavor: 'gpu', schematic: 'gpu' },
    ],
    patches: { 'nvidia-gpu': NVIDIA_PATCH },
    nodes: [
      { name: 'cp-1', role: 'controlplane', host: 'h1', address: '10.1.0.1' },
      { name: 'cp-2', role: 'controlplane', host: 'h2', address: '10.1.0.2' },
      { name: 'cp-3', role: 'controlplane', host: 'h3', address: '10.1.0.3' },
      { name: 'w-1', role: 'worker', host: 'h1', address: '10.1.1.1', osd: true },
      { name: 'w-2', role: 'worker', host: 'h2', address: '10.1.1.2', osd: true },
      { name: 'w-3', role: 'worker', host: 'h3', address: '10.1.1.3', osd: true },
      {
        name: 'w-4',
        role: 'worker',
        host: 'h3',
        address: '10.1.1.4',
        flavor: 'gpu',
        gpu: true,
        patches: ['nvidia-gpu'],
      },
    ],
    workloads: {
      deployments: [
        {
          namespace: 'apps',
          name: 'web',
          replicas: 3,
          pdb: { minAvailable: 2 },
          spreadAcrossNodes: true,
        },
      ],
      daemonsets: [
        { namespace: 'rook-ceph', name: 'rook-ceph-osd', on: 'osd' },
        { namespace: 'kube-system', name: 'kube-proxy', on: 'all' },
      ],
      helmReleases: [{ namespace: 'flux-system', name: 'cilium' }],
    },
  };
}

export function smallScenario(extra: Partial<ScenarioInput> = {}): Scenario {
  return parseScenario({ ...smallScenarioInput(), ...extra }, 'small');
}

export function startSmall(
  extra: Partial<ScenarioInput> = {},
  seed = 7,
  worldFile?: string,
): Promise<SimulatedCluster> {
  return createSimulatedCluster({
    scenario: smallScenario(extra),
    seed,
    ...(worldFile ? { worldFile } : {}),
  });
}

export function node(cluster: SimulatedCluster, name: string) {
  const found = cluster.inventory.nodes.find((n) => n.name === name);
  if (!found) throw new Error(`no node ${name}`);
  return found;
}

/** Every template rebuilt through the infrastructure port, one plan and apply each. */
export async function rebuildTemplates(cluster: SimulatedCluster): Promise<void> {
  for (const t of Object.values(cluster.inventory.templates)) {
    const plan = await cluster.ports.infrastructure.plan({
      replace: [t.address],
      replaceOnly: 'all',
    });
    await cluster.ports.infrastructure.apply(plan);
  }
}

/** A state backup through the ports (pull, put, read back), as a destroy requires one. */
export async function backupState(cluster: SimulatedCluster, key: string): Promise<void> {
  const state = await cluster.ports.infrastructure.pullState();
  const stored = await cluster.ports.stateBackup.put(key, state.bytes);
  const back = await cluster.ports.stateBackup.get(key);
  if (back.byteLength !== stored.size) throw new Error('backup read-back differs');
}

/** The node's machine config with its patches appended, as apply-config sends it. */
export async function machineConfigWithPatches(
  cluster: SimulatedCluster,
  node: InventoryNode,
): Promise<string> {
  const config = await cluster.ports.secrets.machineConfig(node);
  const patches = node.patches.map((id) => cluster.inventory.patches[id]?.content ?? '');
  return [config, ...patches].join('\n---\n');
}
