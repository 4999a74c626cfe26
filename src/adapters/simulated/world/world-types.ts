/**
 * What the world is built from and what plugs into it: its context (scenario, inventory, policy,
 * durations, versions), the actor of a change, and the shapes of its handlers and listeners.
 */
import type { StepDurations } from '../../../core/durations.js';
import type { Inventory } from '../../../core/inventory.js';
import type { Policy } from '../../../core/policy.js';
import type { UpgradeKind } from '../../../core/plan.js';
import type { StoreEvent } from '../kube/store.js';
import type { Moment, Operation } from '../scenario/fault-timing.js';
import type { Scenario, ScenarioFault } from '../scenario/schema.js';
import type { WorldEvent } from './state.js';
import type { World } from './world.js';

/** Drover (through a port or the fake API server) or the world itself (controllers, timers). */
export type Actor = 'drover' | 'world';
/** A timed world event as scheduled: its time and sequence number are the world's to give. */
export type EventBody = WorldEvent extends infer E
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
