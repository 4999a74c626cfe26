/**
 * The cross-references a scenario's schema cannot express (load.ts runs them after it): hosts,
 * templates, schematics, patches and fault targets that must exist, room for spread workloads.
 */
import { timingProblems, type FaultTiming } from './fault-timing.js';
import type { Scenario, ScenarioNode } from './schema.js';

export interface Problem {
  path: PropertyKey[];
  message: string;
}

type Add = (path: PropertyKey[], message: string) => void;

export function crossCheck(s: Scenario): Problem[] {
  const problems: Problem[] = [];
  const add: Add = (path, message) => problems.push({ path, message });
  checkTemplates(s, add);
  checkNodes(s, add);
  checkPatchSets(s, add);
  checkWorkloads(s, add);
  checkFaults(s, add);
  return problems;
}

function checkTemplates(s: Scenario, add: Add): void {
  const templateKeys = new Set(s.templates.map((t) => `${t.host}/${t.flavor}`));
  s.templates.forEach((t, i) => {
    if (!s.hosts.includes(t.host)) add(['templates', i, 'host'], `unknown host "${t.host}"`);
    if (s.schematics[t.schematic] === undefined)
      add(['templates', i, 'schematic'], `unknown schematic "${t.schematic}"`);
  });
  if (templateKeys.size !== s.templates.length)
    add(['templates'], 'a host has two templates of the same flavor');
}

function checkNodes(s: Scenario, add: Add): void {
  const names = new Set<string>();
  const addresses = new Map<string, number>();
  const templateKeys = new Set(s.templates.map((t) => `${t.host}/${t.flavor}`));
  s.nodes.forEach((n, i) => {
    if (names.has(n.name)) add(['nodes', i, 'name'], `"${n.name}" is listed twice`);
    names.add(n.name);
    const first = addresses.get(n.address);
    if (first !== undefined)
      add(['nodes', i, 'address'], `${n.address} is also the address of nodes[${first}]`);
    else addresses.set(n.address, i);
    if (!s.hosts.includes(n.host)) add(['nodes', i, 'host'], `unknown host "${n.host}"`);
    if (!templateKeys.has(`${n.host}/${n.flavor}`))
      add(['nodes', i, 'flavor'], `no "${n.flavor}" template on host ${n.host}`);
    n.patches.forEach((p, j) => {
      if (s.patches[p] === undefined) add(['nodes', i, 'patches', j], `unknown patch "${p}"`);
    });
  });
}

/** The patch sets name known patches; and (here, after them) a control plane exists. */
function checkPatchSets(s: Scenario, add: Add): void {
  for (const set of ['global', 'controlplane', 'worker'] as const)
    s.patchSets[set].forEach((p, j) => {
      if (s.patches[p] === undefined) add(['patchSets', set, j], `unknown patch "${p}"`);
    });
  if (!s.nodes.some((n) => n.role === 'controlplane'))
    add(['nodes'], 'at least one controlplane node is required');
}

function checkWorkloads(s: Scenario, add: Add): void {
  for (const kind of ['deployments', 'statefulsets'] as const)
    s.workloads[kind].forEach((w, i) => {
      const room = s.nodes.filter((n) => placed(n, w.on)).length;
      if (w.spreadAcrossNodes && w.replicas > room)
        add(
          ['workloads', kind, i, 'replicas'],
          `${w.replicas} replicas spread across nodes, but only ${room} node(s) match "on: ${w.on}"`,
        );
    });
}

function checkFaults(s: Scenario, add: Add): void {
  const names = new Set(s.nodes.map((n) => n.name));
  const guarded = [...s.workloads.deployments, ...s.workloads.statefulsets]
    .filter((w) => w.pdb)
    .map((w) => `${w.namespace}/${w.name}`);
  s.faults.forEach((f, i) => {
    if ('node' in f && f.node !== undefined && !names.has(f.node))
      add(['faults', i, 'node'], `unknown node "${f.node}"`);
    const timing = f as FaultTiming;
    for (const t of timingProblems(timing)) add(['faults', i, ...t.path], t.message);
    if (timing.when?.node !== undefined && !names.has(timing.when.node))
      add(['faults', i, 'when', 'node'], `unknown node "${timing.when.node}"`);
    if (f.type === 'pdb-blocks' && !guarded.includes(`${f.namespace}/${f.name}`))
      add(['faults', i, 'name'], `no workload ${f.namespace}/${f.name} with a pdb in workloads`);
    if (f.type === 'etcd-unhealthy' || f.type === 'etcd-leader') {
      const node = s.nodes.find((n) => n.name === f.node);
      if (node && node.role !== 'controlplane')
        add(['faults', i, 'node'], `${f.node} is not a controlplane node`);
    }
  });
}

/** Nodes a workload's `on` places it on (as world/workloads.ts schedules it). */
function placed(n: ScenarioNode, on: string): boolean {
  if (on === 'all') return true;
  if (on === 'controlplane') return n.role === 'controlplane';
  if (on === 'osd') return n.osd;
  if (on === 'gpu') return n.gpu;
  return n.role === 'worker';
}
