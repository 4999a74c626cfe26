/**
 * The simulated world: its JSON state, the KubeStore, the virtual clock and the PRNG, plus the
 * machinery the controllers and ports share: the reconcile loop, the actor of the current change
 * (Drover through a port or the fake API server, or the world itself), timed faults, requests
 * and change notification for persistence. Its parts live beside it: timed-events.ts (timed
 * world events, persisted), scripted-faults.ts, violation-log.ts, node-lookup.ts, world-types.ts.
 */
import type { DroverError } from '../../../core/errors.js';
import type { InvariantName } from '../../../core/invariants.js';
import type { InventoryNode } from '../../../core/inventory.js';
import type { KubeStore } from '../kube/store.js';
import type { Moment, Operation } from '../scenario/fault-timing.js';
import type { ScenarioFault } from '../scenario/schema.js';
import type { VirtualClock } from '../virtual-clock.js';
import { objectKey, recordStoreEvent, type PassChanges } from './changes.js';
import { PodIndex } from './pod-index.js';
import { VmWatch } from './vm-watch.js';
import { DomainsDown } from './ceph-domains-down.js';
import { NodeLookup } from './node-lookup.js';
import { ReconcileLoop } from './reconcile-loop.js';
import { SeededRandom } from './rng.js';
import { FAULTS_TAKING_OUT, hasFault, scriptedFailure } from './scripted-faults.js';
import type { VmState, WorldEvent, WorldState } from './state.js';
import { TimedEvents } from './timed-events.js';
import { activitySeconds, type WorldActivity } from './timings.js';
import { ViolationLog } from './violation-log.js';
import type {
  Actor,
  EventBody,
  FaultEffect,
  RequestListener,
  StoreHook,
  WorldContext,
  WorldEventHandler,
} from './world-types.js';

export class World {
  readonly rng: SeededRandom;
  private actor: Actor = 'drover';
  private readonly storeHooks: StoreHook[] = [];
  private readonly changeListeners: (() => void)[] = [];
  private unsubscribe: (() => void) | undefined;
  private started = false;
  private readonly faultEffects = new Map<string, FaultEffect>();
  private readonly requestListeners: RequestListener[] = [];
  private crashHandler: (() => void) | undefined;
  /** The Drover process died (a crash fault fired): nothing it asked for happens any more. */
  crashed = false;
  /** Pods by node, controller and namespace (kept from store events once started). */
  readonly pods: PodIndex;
  /** What changed before the reconcile pass now running (the controllers read it). */
  get changes(): PassChanges {
    return this.loop.changes;
  }
  /** What changed during the pass now running (the next pass's changes, so far). */
  get changesSoFar(): PassChanges {
    return this.loop.next;
  }
  private readonly vmWatch = new VmWatch();
  /** Every VmWatch to tell of a VM change (vmTouched): this world's and its trackers'. */
  private readonly vmWatches: VmWatch[] = [this.vmWatch];
  /** Storage domains with an OSD node down, kept from node events and VM changes. */
  readonly domainsDown: DomainsDown;
  private nodeNames: Set<string> | undefined;
  private readonly events: TimedEvents;
  private readonly violationLog: ViolationLog;
  private readonly lookup: NodeLookup;
  private readonly loop: ReconcileLoop;

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
    this.events = new TimedEvents(state, clock, (event, handler) => this.fired(event, handler));
    this.violationLog = new ViolationLog(state, () => this.changed());
    this.lookup = new NodeLookup(context.inventory);
    this.loop = new ReconcileLoop({
      beforePass: (changes, world) => {
        this.nodeNames ??= new Set(this.context.inventory.nodes.map((n) => n.name));
        // VMs change only in world state: every such change marks the world changed (an event
        // fires, a timer is set, changed() is called, a fault starts or ends) before this pass.
        if (world || changes.full)
          this.vmWatch.collect(this.state.vms, this.nodeNames, changes.nodes, changes.full);
      },
      run: (controllers) => this.asWorld(controllers),
    });
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
    this.events.on(type, handler);
  }

  /** A level-based controller, run when one of the `watches` resources (or world state) changed. */
  addReconciler(reconcile: (world: World) => void, watches: string[]): void {
    this.loop.add(() => reconcile(this), watches);
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
    this.loop.restart();
    this.unsubscribe = this.store.subscribe((event) => {
      this.loop.resourceChanged(event.resource);
      recordStoreEvent(this.loop.next, event);
      const actor = this.actor;
      for (const hook of this.storeHooks) hook(this, event, actor);
      this.requestReconcile();
      this.notifyListeners();
    });
    this.events.armAll();
    this.requestReconcile();
  }

  stop(): void {
    this.started = false;
    this.unsubscribe?.();
    this.events.cancelAll();
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
    this.events.add(event, this.started);
    this.changed();
  }

  /** A timed event fired (it has left `pending`): its handler runs as the world. */
  private fired(event: WorldEvent, handler: WorldEventHandler | undefined): void {
    // What the event is about is looked at again even if its handler wrote nothing.
    if ('node' in event) this.loop.next.nodes.add(event.node);
    if ('namespace' in event) this.loop.next.pods.add(objectKey(event.namespace, event.name));
    if (handler) this.asWorld(() => handler(this, event));
    this.loop.worldChanged();
    this.requestReconcile();
    this.notifyListeners();
  }

  requestReconcile(): void {
    this.loop.request();
  }

  /** Registers a VmWatch to be told of every VM change (see vmTouched). */
  watchVms(watch: VmWatch): void {
    this.vmWatches.push(watch);
  }

  /**
   * The VM of `node` was created, destroyed, or changed phase or boot: every write to those
   * fields calls this, so that watchers compare only touched VMs (vm-watch.ts).
   */
  vmTouched(node: string): void {
    for (const watch of this.vmWatches) watch.touch(node);
  }

  /** Something changed: persistence saves (coalesced by the listener). */
  changed(): void {
    if (!this.loop.reconciling && this.started) {
      this.loop.worldChanged();
      this.loop.request();
    }
    this.notifyListeners();
  }

  private notifyListeners(): void {
    this.state.rng = this.rng.state;
    for (const listener of this.changeListeners) listener();
  }

  // ---- violations ----------------------------------------------------------------------------

  violation(invariant: InvariantName, message: string): void {
    this.violationLog.record(invariant, message, this.now);
  }

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
    return scriptedFailure(this.faults(), this.state, () => this.changed(), action, node);
  }

  /** A fault of this type for this node is scripted (and, when timed, in force now). */
  hasFault(
    type: ScenarioFault['type'],
    match: (f: ScenarioFault) => boolean = () => true,
  ): boolean {
    return hasFault(this.faults(), this.state, type, match);
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
    this.loop.next.full = true;
    const effect = this.faultEffects.get(fault.type);
    if (effect) this.asWorld(() => effect(this, fault, on, index));
    this.loop.worldChanged();
    this.changed();
  }

  /** Listens to every request reported to the world (the fault triggers, tests). */
  onRequest(listener: RequestListener): void {
    this.requestListeners.push(listener);
  }

  /** A port operation or fake-API write reports what it was asked, before and after acting. */
  requested(operation: Operation, node: string | undefined, moment: Moment): void {
    this.violationLog.requested(operation, node, moment, this.now);
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

  node(name: string): InventoryNode | undefined {
    return this.lookup.node(name);
  }

  nodeByAddress(address: string): InventoryNode | undefined {
    return this.lookup.nodeByAddress(address);
  }

  requireNodeByAddress(address: string): InventoryNode {
    return this.lookup.requireNodeByAddress(address);
  }

  vm(node: string): VmState | undefined {
    return this.state.vms[node];
  }

  /** The node's VM exists and runs a configured Talos. */
  vmRunning(node: string): boolean {
    return this.state.vms[node]?.phase === 'running';
  }
}
