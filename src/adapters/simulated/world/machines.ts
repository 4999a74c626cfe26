/**
 * Machines: VMs cloned from templates boot into Talos maintenance mode, install and join once a
 * config is applied, register their kubelet, join etcd (control plane) and bring up GPUs. Also the
 * node-lifecycle controller's reactions to a machine that stops answering, and timed faults.
 */
import { createHash } from 'node:crypto';
import type { InventoryNode } from '../../../core/inventory.js';
import { GPU_SCHEMATIC_FLAVOR, hasNvidiaModules } from './machine-config.js';
import { registerKubelet, setGpu, setReady, NODES, readyStatus } from './nodes.js';
import type { ScenarioFault } from '../scenario/schema.js';
import type { VmState, WorldEvent } from './state.js';
import type { World } from './world.js';

/** node-monitor-grace-period: the node controller's patience before Ready turns Unknown. */
const NODE_GRACE_MS = 40_000;
/** Default toleration of not-ready/unreachable taints before pods are evicted. */
const TAINT_EVICTION_MS = 300_000;

/** A deterministic UUID per world seed and machine event (no draw from the world's rng). */
export function machineUuid(world: World, kind: 'system' | 'boot'): string {
  const seq = (world.state.machineSeq ?? 0) + 1;
  world.state.machineSeq = seq;
  return uuidFrom(`${world.state.seed}/${kind}/${seq}`);
}

/** A version-4-shaped UUID derived from `text`. */
export function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The VMID Proxmox gives a new VM: the pinned vm_id (the node's original id, kept across a
 * replacement), or /cluster/nextid's lowest free id from 100: the id just freed by the destroy
 * comes straight back. Either way the id is no evidence of a new machine.
 */
function allocateVmId(world: World, node: InventoryNode): string {
  if (world.context.scenario.terraform.vmIds === 'pinned') {
    const index = world.context.inventory.nodes.findIndex((n) => n.name === node.name);
    return String(100 + index);
  }
  const used = new Set<string>([
    ...Object.values(world.state.vms).flatMap((v) => (v ? [v.id] : [])),
    ...Object.values(world.state.lingering).map((v) => v.id),
    ...Object.values(world.state.templates).map((t) => t.id),
  ]);
  let id = 100;
  while (used.has(String(id))) id += 1;
  return String(id);
}

export function createVm(world: World, node: InventoryNode): VmState {
  const template = world.state.templates[node.template];
  const vm: VmState = {
    id: allocateVmId(world, node),
    uuid: machineUuid(world, 'system'),
    bootId: machineUuid(world, 'boot'),
    ...(template ? { cloneOf: template.id } : {}),
    node: node.name,
    templateKey: node.template,
    version: template?.version ?? world.context.talos.from,
    schematic: template?.schematic ?? node.schematic,
    phase: 'booting',
    gpuDriver: false,
    createdAt: world.now,
  };
  world.state.vms[node.name] = vm;
  world.vmTouched(node.name);
  world.schedule(world.rng.jitter(world.ms('machine-boot')), {
    type: 'vm-maintenance',
    node: node.name,
    vmId: vm.uuid,
  });
  world.changed();
  return vm;
}

/** Proxmox destroys the VM; the node stops posting status (the old VM may linger by fault). */
export function destroyVm(world: World, node: InventoryNode): void {
  const vm = world.state.vms[node.name];
  if (!vm) return;
  if (world.hasFault('old-vm-lingers', (f) => 'node' in f && f.node === node.name))
    world.state.lingering[node.name] = { ...vm };
  world.state.vms[node.name] = undefined;
  world.vmTouched(node.name);
  // etcd on that machine is gone: its member (if still listed) no longer answers.
  for (const m of world.state.etcd) if (m.node === node.name) m.healthy = false;
  machineStopped(world, node.name, null);
  world.changed();
}

/** The machine stopped answering: Ready goes Unknown after the grace period. */
export function machineStopped(world: World, node: string, vmId: string | null): void {
  world.schedule(NODE_GRACE_MS, { type: 'node-unreachable', node, vmId });
}

/** A configured machine applies `config`: it installs, reboots and joins after wait-ready. */
export function configure(world: World, vm: VmState, config: string): void {
  vm.phase = 'installing';
  world.vmTouched(vm.node);
  vm.gpuDriver = hasNvidiaModules(config);
  world.schedule(world.rng.jitter(world.ms('kubelet-ready')), {
    type: 'vm-configured',
    node: vm.node,
    vmId: vm.uuid,
  });
  world.changed();
}

function currentVm(world: World, event: { node: string; vmId: string }): VmState | undefined {
  const vm = world.state.vms[event.node];
  return vm && vm.uuid === event.vmId ? vm : undefined;
}

/** A machine booted with its config: it runs, its kubelet registers, a control plane joins etcd. */
function vmConfigured(w: World, e: WorldEvent): void {
  if (e.type !== 'vm-configured') return;
  const vm = currentVm(w, e);
  const node = w.node(e.node);
  if (!vm || !node) return;
  vm.phase = 'running';
  // Every boot (a fresh install, a reboot, a machine back from a stop) has a new boot id.
  vm.bootId = machineUuid(w, 'boot');
  w.vmTouched(vm.node);
  const neverReady = w.hasFault('never-ready', (f) => 'node' in f && f.node === node.name);
  const stuck = w.scriptedFailure('wait-ready', node.name) !== undefined;
  registerKubelet(w, node, vm.version, w.state.kubernetesVersion, !neverReady && !stuck);
  if (node.role === 'controlplane') joinEtcd(w, node, vm);
  if (node.gpu && vm.gpuDriver && vm.templateKey.endsWith(GPU_SCHEMATIC_FLAVOR)) {
    w.schedule(w.rng.jitter(w.ms('gpu-plugin', 0.4)), {
      type: 'gpu-label',
      node: node.name,
      vmId: vm.uuid,
    });
    // Allocatable `wait-gpu` (give or take) after the boot: the step's nominal duration.
    w.schedule(w.rng.jitter(w.ms('gpu-plugin')), {
      type: 'gpu-allocatable',
      node: node.name,
      vmId: vm.uuid,
    });
  }
}

export function registerMachineHandlers(world: World): void {
  world.on('vm-maintenance', (w, e) => {
    if (e.type !== 'vm-maintenance') return;
    const vm = currentVm(w, e);
    if (vm && vm.phase === 'booting') {
      vm.phase = 'maintenance';
      w.vmTouched(vm.node);
    }
  });

  world.on('vm-configured', vmConfigured);

  world.on('etcd-healthy', (w, e) => {
    if (e.type !== 'etcd-healthy') return;
    const member = w.state.etcd.find((m) => m.id === e.memberId);
    if (member && w.vmRunning(member.node) && !etcdFaulted(w, member.node)) member.healthy = true;
  });

  world.on('gpu-label', (w, e) => {
    if (e.type === 'gpu-label' && currentVm(w, e)?.phase === 'running') setGpu(w, e.node, 0);
  });
  world.on('gpu-allocatable', (w, e) => {
    if (e.type === 'gpu-allocatable' && currentVm(w, e)?.phase === 'running') setGpu(w, e.node, 1);
  });

  world.on('node-unreachable', (w, e) => {
    if (e.type !== 'node-unreachable') return;
    // Back already (a new or rebooted machine runs): nothing to do.
    if (w.state.vms[e.node]?.phase === 'running') return;
    const node = w.store.getView(NODES, undefined, e.node);
    if (!node || readyStatus(node) === 'Unknown') return;
    setReady(w, e.node, 'Unknown');
    w.schedule(TAINT_EVICTION_MS, { type: 'taint-evict', node: e.node });
  });

  world.registerFaultEffect('etcd-unhealthy', (w, fault, on) => {
    if (fault.type !== 'etcd-unhealthy') return;
    for (const m of w.state.etcd)
      if (m.node === fault.node) m.healthy = on ? false : w.vmRunning(m.node);
  });
  world.registerFaultEffect('node-down', (w, fault, on) => nodeDownEffect(w, fault, on));
}

function etcdFaulted(world: World, node: string): boolean {
  return world.hasFault('etcd-unhealthy', (f) => 'node' in f && f.node === node);
}

/** Talos joins the new etcd member; a same-named stale member is removed as it joins. */
function joinEtcd(world: World, node: InventoryNode, vm: VmState): void {
  // A rebooted machine keeps its member; a fresh one joins anew.
  let member = world.state.etcd.find((m) => m.node === node.name && m.vmId === vm.uuid);
  if (!member) {
    world.state.etcd = world.state.etcd.filter((m) => m.node !== node.name);
    member = { id: world.rng.hex(16), node: node.name, vmId: vm.uuid, healthy: false };
    world.state.etcd.push(member);
  }
  world.schedule(world.rng.jitter(world.ms('etcd-join')), {
    type: 'etcd-healthy',
    node: node.name,
    memberId: member.id,
  });
}

/** A node that goes down on its own (and, at the fault's end, boots again). */
function nodeDownEffect(world: World, fault: ScenarioFault, on: boolean): void {
  if (fault.type !== 'node-down') return;
  const vm = world.state.vms[fault.node];
  if (!vm) return;
  if (on && vm.phase === 'running') {
    vm.phase = 'stopped';
    world.vmTouched(vm.node);
    for (const m of world.state.etcd) if (m.node === fault.node) m.healthy = false;
    machineStopped(world, fault.node, vm.uuid);
  } else if (!on && vm.phase === 'stopped') {
    vm.phase = 'installing';
    world.vmTouched(vm.node);
    world.schedule(world.rng.jitter(world.ms('kubelet-ready')), {
      type: 'vm-configured',
      node: vm.node,
      vmId: vm.uuid,
    });
  }
}

export type { WorldEvent };
