/**
 * The simulated world: its JSON state, the KubeStore, the virtual clock and the PRNG, plus the
 * machinery the controllers and ports share: timed world events (persisted), the actor of the
 * current change (Drover through a port or the fake API server, or the world itself), scripted
 * faults, violation records and change notification for persistence.
 */
import { DroverError } from '../../../core/errors.js';
import type { StepDurations } from '../../../core/durations.js';
import { activitySeconds, type WorldActivity } from './timings.js';
import type { Inventory, InventoryNode } from '../../../core/inventory.js';
import type { Policy } from '../../../core/policy.js';
import type { UpgradeKind } from '../../../core/plan.js';
import type { InvariantName } from '../../../core/invariants.js';
import type { KubeStore, StoreEvent } from '../kube/store.js';
import type { Moment, Operation } from '../scenario/fault-timing.js';
import { TIMED_FAULT_TYPES, type Scenario, type ScenarioFault } from '../scenario/schema.js';
import type { VirtualClock } from '../virtual-clock.js';
import {
  PodIndex,
  emptyChanges,
  objectKey,
  recordStoreEvent,
  VmWatch,
  type PassChanges,
} from './changes.js';
import { DomainsDown } from './ceph-domains-down.js';
import { SeededRandom } from './rng.js';
import type { Violation, VmState, WorldEvent, WorldState } from './state.js';

export type Actor = 'drover' | 'world';
type EventBody = WorldEvent extends infer E
  ? E extends WorldEvent
    ? Omit<E, 'at' | 'seq'>
    : never
  : never;
export type WorldEventHandler = (world: World, event: WorldEvent) => void;
export type StoreHook = (world: World, event: StoreEvent, actor: Actor) => void;
/** A timed fault's one-off change to the world when it starts (`on`) and ends. */
export type FaultEffect = (world: World, fault: ScenarioFault, on: boolean, index: number) => void;
/** What the cluster was asked to do (reported by every simulated port operation). */
export interface WorldRequest {
  operation: Operation;
  node: string | undefined;
  moment: Moment;
}
export type RequestListener = (world: World, request: WorldRequest) => void;

export interface WorldContext {
  scenario: Scenario;
  inventory: Inventory;
  policy: Policy;
  durations: StepDurations;
  kind: UpgradeKind;
  talos: { from: string; to: string };
  kubernetes: { from: string; to: string };
}

/** Requests that take a node or an etcd member away (the acts invariant recheck-before-act guards). */
export const DESTRUCTIVE: ReadonlySet<Operation> = new Set([
  'replace-vm',
  'talos-upgrade',
  'etcd-leave',
  'etcd-remove-member',
]);

/**
 * Fault types that take a node or an etcd member out on their own (a new one adds its type):
 * a breach they cause while Drover's destructive request is under way is not Drover's.
 */
export const FAULTS_TAKING_OUT = new Set<string>(['node-down', 'etcd-unhealthy']);

/** Reconcile passes in one burst before the world reports that its controllers do not settle. */
const MAX_RECONCILE_PASSES = 200;

export class World {
  readonly rng: SeededRandom;
  private actor: Actor = 'drover';
  private reconcileQueued = false;
  private readonly handlers = new Map<string, WorldEventHandler>();
  private readonly reconcilers: { run: (world: World) => void; watches: string[] }[] = [];
  /** Resources changed since the last reconcile pass, and whether world state changed. */
  private readonly dirty = new Set<string>();
  private worldDirty = true;
  private readonly storeHooks: StoreHook[] = [];
  private readonly changeListeners: (() => void)[] = [];
  private readonly cancels = new Map<number, () => void>();
  private unsubscribe: (() => void) | undefined;
  private started = false;
  private reconciling = false;
  private readonly faultEffects = new Map<string, FaultEffect>();
  private readonly requestListeners: RequestListener[] = [];
  private crashHandler: (() => void) | undefined;
  /** The Drover process died (a crash fault fired): nothing it asked for happens any more. */
  crashed = false;
  /** Pods by node, controller and namespace (kept from store events once started). */
  readonly pods: PodIndex;
  /** What changed before the reconcile pass now running (the controllers read it). */
  changes: PassChanges = emptyChanges(true);
  private nextChanges: PassChanges = emptyChanges(true);
  /** What changed during the pass now running (the next pass's changes, so far). */
  get changesSoFar(): PassChanges {
    return this.nextChanges;
  }
  private readonly vmWatch = new VmWatch();
  /** Every VmWatch to tell of a VM change (vmTouched): this world's and its trackers'. */
  private readonly vmWatches: VmWatch[] = [this.vmWatch];
  /** Storage domains with an OSD node down, kept from node events and VM changes. */
  readonly domainsDown: DomainsDown;
  private nodeNames: Set<string> | undefined;

  /**
   * Kills the process inside a step (crash faults): never returns when a process dies; returns
   * when nothing can die (in-process without a crash handler), and the operation then fails.
   */
  crashHook: (() => Promise<void>) | undefined;

  constructor(
    readonly context: WorldContext,
    readonly state: WorldState,
    readonly store: KubeStore,
    readonly clock: VirtualClock,
  ) {
    this.rng = new SeededRandom(state.rng);
    this.pods = new PodIndex(store);
    // From the start, so that seeding (before start) keeps it too; start() rebuilds it after a restore.
    store.subscribeView((event) => this.pods.apply(event));
    this.domainsDown = new DomainsDown(this);
  }

  get now(): number {
    return this.clock.now();
  }

  /** Seconds the world takes for an activity (world/timings.ts: keyed by what it does). */
  seconds(activity: WorldActivity): number {
    return activitySeconds(this.context.durations, activity);
  }

  /** The same, as ms (a fraction of it: one phase of the activity). */
  ms(activity: WorldActivity, fraction = 1): number {
    return Math.round(this.seconds(activity) * 1000 * fraction);
  }

  // ---- wiring --------------------------------------------------------------------------------

  on(type: WorldEvent['type'], handler: WorldEventHandler): void {
    this.handlers.set(type, handler);
  }

  /** A level-based controller, run when one of the `watches` resources (or world state) changed. */
  addReconciler(reconcile: (world: World) => void, watches: string[]): void {
    this.reconcilers.push({ run: reconcile, watches });
  }

  addStoreHook(hook: StoreHook): void {
    this.storeHooks.push(hook);
  }

  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Starts reacting to store events and re-arms every persisted world event. */
  start(): void {
    this.started = true;
    this.pods.rebuild();
    this.nextChanges = emptyChanges(true);
    this.unsubscribe = this.store.subscribe((event) => {
      this.dirty.add(event.resource);
      recordStoreEvent(this.nextChanges, event);
      const actor = this.actor;
      for (const hook of this.storeHooks) hook(this, event, actor);
      this.requestReconcile();
      this.notifyListeners();
    });
    for (const event of [...this.state.pending].sort((a, b) => a.at - b.at || a.seq - b.seq))
      this.arm(event);
    this.requestReconcile();
  }

  stop(): void {
    this.started = false;
    this.unsubscribe?.();
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
  }

  // ---- actors and events ---------------------------------------------------------------------

  get currentActor(): Actor {
    return this.actor;
  }

  /** Runs `change` as the world itself (controllers, kubelets, timed events). */
  asWorld<T>(change: () => T): T {
    const previous = this.actor;
    this.actor = 'world';
    try {
      return change();
    } finally {
      this.actor = previous;
    }
  }

  schedule(delayMs: number, body: EventBody): void {
    const event = {
      ...body,
      at: this.now + Math.max(0, Math.round(delayMs)),
      seq: this.state.eventSeq++,
    } as WorldEvent;
    this.state.pending.push(event);
    if (this.started) this.arm(event);
    this.changed();
  }

  private arm(event: WorldEvent): void {
    const cancel = this.clock.schedule(event.at, () => this.fire(event));
    this.cancels.set(event.seq, cancel);
  }

  private fire(event: WorldEvent): void {
    this.cancels.delete(event.seq);
    const i = this.state.pending.findIndex((e) => e.seq === event.seq);
    if (i >= 0) this.state.pending.splice(i, 1);
    // What the event is about is looked at again even if its handler wrote nothing.
    if ('node' in event) this.nextChanges.nodes.add(event.node);
    if ('namespace' in event) this.nextChanges.pods.add(objectKey(event.namespace, event.name));
    const handler = this.handlers.get(event.type);
    if (handler) this.asWorld(() => handler(this, event));
    this.worldDirty = true;
    this.requestReconcile();
    this.notifyListeners();
  }

  requestReconcile(): void {
    if (this.reconcileQueued) return;
    this.reconcileQueued = true;
    queueMicrotask(() => this.reconcile());
  }

  private reconcile(): void {
    this.reconciling = true;
    try {
      this.reconcilePasses();
    } finally {
      this.reconciling = false;
    }
  }

  private reconcilePasses(): void {
    for (let pass = 0; ; pass++) {
      this.reconcileQueued = false;
      if (this.dirty.size === 0 && !this.worldDirty) break;

      const changed = new Set(this.dirty);
      const world = this.worldDirty;
      this.dirty.clear();
      this.worldDirty = false;
      this.changes = this.nextChanges;
      this.nextChanges = emptyChanges(false);
      this.nodeNames ??= new Set(this.context.inventory.nodes.map((n) => n.name));
      // VMs change only in world state: every such change marks the world changed (an event
      // fires, a timer is set, changed() is called, a fault starts or ends) before this pass.
      if (world || this.changes.full)
        this.vmWatch.collect(this.state.vms, this.nodeNames, this.changes.nodes, this.changes.full);
      this.asWorld(() => {
        for (const r of this.reconcilers)
          if (world || r.watches.some((w) => changed.has(w))) r.run(this);
      });
      if (pass > MAX_RECONCILE_PASSES)
        throw new Error('simulated cluster: controllers did not settle (a bug in the simulator)');
    }
    this.reconcileQueued = false;
  }

  /** Registers a VmWatch to be told of every VM change (see vmTouched). */
  watchVms(watch: VmWatch): void {
    this.vmWatches.push(watch);
  }

  /**
   * The VM of `node` was created, destroyed, or changed phase or boot: every write to those
   * fields calls this, so that watchers compare only touched VMs (changes.ts, VmWatch).
   */
  vmTouched(node: string): void {
    for (const watch of this.vmWatches) watch.touch(node);
  }

  /** Something changed: persistence saves (coalesced by the listener). */
  changed(): void {
    if (!this.reconciling && this.started) {
      this.worldDirty = true;
      this.requestReconcile();
    }
    this.notifyListeners();
  }

  private notifyListeners(): void {
    this.state.rng = this.rng.state;
    for (const listener of this.changeListeners) listener();
  }

  // ---- violations ----------------------------------------------------------------------------

  violation(invariant: InvariantName, message: string): void {
    const v: Violation = { invariant, at: this.now, message };
    if (this.struckAfterCommit(invariant)) {
      (this.state.excused ??= []).push(v);
      this.changed();
      return;
    }
    const last = this.state.violations.at(-1);
    if (last && last.invariant === invariant && last.message === message && last.at === v.at)
      return;
    this.state.violations.push(v);
    this.changed();
  }

  /**
   * Quorum and disruption breaches (etcd-quorum, disruption-budget) that only a fault striking while Drover's destructive
   * request was already under way caused: Drover asked when the world allowed it and cannot take
   * back a running apply or upgrade. It must not add to it afterwards (a later request is judged).
   */
  private struckAfterCommit(invariant: InvariantName): boolean {
    if (invariant !== 'etcd-quorum' && invariant !== 'disruption-budget') return false;
    const inFlight = Object.values(this.destructiveInFlight);
    const struck = this.state.lastFaultStrikeAt;
    return inFlight.length > 0 && struck !== undefined && inFlight.every((at) => at <= struck);
  }

  /** Destructive requests under way, by node: when each was asked. */
  private readonly destructiveInFlight: Record<string, number> = {};

  // ---- faults --------------------------------------------------------------------------------

  faults(): ScenarioFault[] {
    return this.context.scenario.faults;
  }

  /** Throws the scripted failure when a step-fails fault matches this call (and counts it). */
  failIfScripted(action: Operation, node: string | undefined): void {
    const error = this.scriptedFailure(action, node);
    if (error) throw error;
  }

  scriptedFailure(action: Operation, node: string | undefined): DroverError | undefined {
    const faults = this.faults();
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i];
      if (!f || f.type !== 'step-fails' || f.action !== action) continue;
      if (f.node !== undefined && f.node !== node) continue;
      const used = this.state.faultUses[i] ?? 0;
      if (f.times !== 'always' && used >= f.times) continue;
      this.state.faultUses[i] = used + 1;
      this.changed();
      const transient = f.transient ?? f.times !== 'always';
      return new DroverError(
        'failed',
        transient ? 'SIMULATED_FAULT' : 'SIMULATED_FAULT_PERMANENT',
        f.message ??
          `simulated ${action} failure${node ? ` on ${node}` : ''} (${used + 1}${f.times === 'always' ? '' : `/${f.times}`})`,
        { details: { fault: i, action, ...(node ? { node } : {}) } },
      );
    }
    return undefined;
  }

  /** A fault of this type for this node is scripted (and, when timed, in force now). */
  hasFault(
    type: ScenarioFault['type'],
    match: (f: ScenarioFault) => boolean = () => true,
  ): boolean {
    return this.faults().some((f, i) => {
      if (f.type !== type || !match(f)) return false;
      if (TIMED_FAULT_TYPES.has(f.type)) return this.state.faultActive[i] === true;
      return true;
    });
  }

  registerFaultEffect(type: ScenarioFault['type'], effect: FaultEffect): void {
    this.faultEffects.set(type, effect);
  }

  /** A timed fault starts or ends: recorded (persisted), then its effect runs as the world. */
  setFaultActive(index: number, on: boolean): void {
    const fault = this.faults()[index];
    if (!fault || this.state.faultActive[index] === on) return;
    this.state.faultActive[index] = on;
    if (on && FAULTS_TAKING_OUT.has(fault.type)) this.state.lastFaultStrikeAt = this.now;
    // A fault may change what any controller decides (crash loops, PDBs, nodes): look at all.
    this.nextChanges.full = true;
    const effect = this.faultEffects.get(fault.type);
    if (effect) this.asWorld(() => effect(this, fault, on, index));
    this.worldDirty = true;
    this.changed();
  }

  /** Listens to every request reported to the world (the fault triggers, tests). */
  onRequest(listener: RequestListener): void {
    this.requestListeners.push(listener);
  }

  /** A port operation or fake-API write reports what it was asked, before and after acting. */
  requested(operation: Operation, node: string | undefined, moment: Moment): void {
    if (DESTRUCTIVE.has(operation)) {
      const key = `${operation}/${node ?? ''}`;
      if (moment === 'before') this.destructiveInFlight[key] = this.now;
      else delete this.destructiveInFlight[key];
    }
    for (const listener of this.requestListeners) listener(this, { operation, node, moment });
  }

  /** How the process dies when a crash fault fires (set by the simulate command). */
  onCrash(handler: () => void): void {
    this.crashHandler = handler;
  }

  /** A crash fault fired: the world is saved, then the process dies (or, in-process, freezes). */
  crash(): void {
    // No Drover process is running (the world lives on alone between a crash and the resume):
    // there is nothing to kill.
    if (this.crashed || !this.crashHandler) return;
    this.crashed = true;
    this.notifyListeners();
    this.crashHandler?.();
  }

  // ---- lookups -------------------------------------------------------------------------------

  // The inventory never changes during a run; the controllers look nodes up per node per
  // DaemonSet on every pass, so a linear search made the twin's cost grow with N^2 and worse.
  private nodesByName: Map<string, InventoryNode> | undefined;
  private nodesByAddress: Map<string, InventoryNode> | undefined;

  node(name: string): InventoryNode | undefined {
    if (!this.nodesByName) {
      // The first node of a name, as the linear search found it.
      const byName = new Map<string, InventoryNode>();
      for (const n of this.context.inventory.nodes) if (!byName.has(n.name)) byName.set(n.name, n);
      this.nodesByName = byName;
    }
    return this.nodesByName.get(name);
  }

  nodeByAddress(address: string): InventoryNode | undefined {
    if (!this.nodesByAddress) {
      // An address is looked up before a name (node names are not IP addresses).
      const byAddress = new Map<string, InventoryNode>();
      for (const n of this.context.inventory.nodes)
        if (!byAddress.has(n.address)) byAddress.set(n.address, n);
      this.nodesByAddress = byAddress;
    }
    return this.nodesByAddress.get(address) ?? this.node(address);
  }

  requireNodeByAddress(address: string): InventoryNode {
    const node = this.nodeByAddress(address);
    if (!node) throw unreachable(address, 'no route to host');
    return node;
  }

  vm(node: string): VmState | undefined {
    return this.state.vms[node];
  }

  /** The node's VM exists and runs a configured Talos. */
  vmRunning(node: string): boolean {
    return this.state.vms[node]?.phase === 'running';
  }
}

/** What talosctl reports when nothing answers at an address. */
export function unreachable(address: string, why = 'connect: no route to host'): DroverError {
  return new DroverError(
    'failed',
    'TALOS_UNREACHABLE',
    `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${address}:50000: ${why}"`,
    { details: { address } },
  );
}
