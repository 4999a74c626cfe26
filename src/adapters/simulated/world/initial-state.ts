/**
 * The world's state at rest before an upgrade (the JSON part; seed.ts fills the store): every
 * VM running its template's version, etcd healthy, nothing pending.
 */
import { createHash } from 'node:crypto';
import type { Scenario } from '../scenario/schema.js';
import { generateSecrets } from './machine-config.js';
import { uuidFrom } from './machines.js';
import { SeededRandom } from './rng.js';
import type { WorldState } from './state.js';
import type { WorldContext } from './world-types.js';

export function scenarioHash(scenario: Scenario): string {
  return createHash('sha256').update(JSON.stringify(scenario)).digest('hex').slice(0, 16);
}

export function initialState(context: WorldContext, seed: number, startMs: number): WorldState {
  const rng = SeededRandom.fromSeed(seed);
  const { scenario, inventory } = context;
  const templates = templatesAtRest(context);
  const vms = vmsAtRest(context, seed, startMs, templates);
  const nextVmId = 100 + inventory.nodes.length;
  const etcd = inventory.nodes
    .filter((n) => n.role === 'controlplane')
    .map((n) => ({ id: rng.hex(16), node: n.name, vmId: vms[n.name]?.uuid ?? '', healthy: true }));
  const tokens = generateSecrets(rng);
  return {
    format: 1,
    scenario: scenario.name,
    scenarioHash: scenarioHash(scenario),
    seed,
    rng: rng.state,
    now: startMs,
    eventSeq: 0,
    nextVmId,
    vms,
    lingering: {},
    templates,
    terraform: {
      serial: 42,
      lineage: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
      lock: null,
      initialised: context.scenario.terraform.initialised,
      plans: {},
      nextPlan: 1,
    },
    s3: {},
    verifiedBackupSerial: null,
    etcd,
    noout: [],
    kubernetesVersion: context.kubernetes.from,
    vmReplacements: Object.fromEntries(inventory.nodes.map((n) => [n.name, 0])),
    faultUses: scenario.faults.map(() => 0),
    faultActive: scenario.faults.map(() => false),
    faultTriggered: scenario.faults.map(() => false),
    pending: [],
    podTimers: {},
    violations: [],
    secrets: { tokens, served: [] },
    cordonedAt: {},
    ceph: { downSince: {}, recoveringUntil: 0, outMarked: [] },
  };
}

/** The inventory's templates, at the version the cluster runs, ids from 9000. */
function templatesAtRest(context: WorldContext): WorldState['templates'] {
  const templates: WorldState['templates'] = {};
  let templateId = 9000;
  for (const [key, t] of Object.entries(context.inventory.templates))
    templates[key] = {
      key,
      address: t.address,
      host: t.host,
      flavor: t.flavor,
      schematic: t.schematic,
      version: context.talos.from,
      id: String(templateId++),
    };
  return templates;
}

/** Every node's VM, cloned from its template a month ago and running, ids from 100. */
function vmsAtRest(
  context: WorldContext,
  seed: number,
  startMs: number,
  templates: WorldState['templates'],
): WorldState['vms'] {
  const vms: WorldState['vms'] = {};
  let nextVmId = 100;
  for (const node of context.inventory.nodes)
    vms[node.name] = {
      id: String(nextVmId++),
      uuid: uuidFrom(`${seed}/system/${node.name}`),
      bootId: uuidFrom(`${seed}/boot/${node.name}`),
      ...(templates[node.template] ? { cloneOf: templates[node.template]!.id } : {}),
      node: node.name,
      templateKey: node.template,
      version: context.talos.from,
      schematic: node.schematic,
      phase: 'running',
      gpuDriver: node.gpu,
      createdAt: startMs - 30 * 86_400_000,
    };
  return vms;
}
