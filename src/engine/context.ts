/** What a step handler sees: the run's shared state, its own step and node, and helpers. */
import type { Inventory, InventoryNode } from '../core/inventory.js';
import type { Plan, StepAction, StepOf } from '../core/plan.js';
import type { Policy } from '../core/policy.js';
import type { Redactor } from '../core/redact.js';
import type { StepDurations } from '../core/durations.js';
import type { GateDecision } from '../core/gates.js';
import type { Ports } from '../ports/index.js';
import type {
  KubernetesPort,
  NodeReadPort,
  NodesPort,
  StorageHealthPort,
  WorkloadHealthPort,
} from '../ports/kubernetes.js';
import type { JournalEntry } from '../ports/journal.js';
import type { Mutex } from './mutex.js';
import type { WindowGuard } from './window-gate.js';

export interface AuditRecord {
  at: number;
  runId: string;
  stepId?: string;
  node?: string;
  /** The port operation, e.g. `infrastructure.apply`. */
  operation: string;
  /** Its inputs, redacted. */
  inputs: Record<string, unknown>;
  attempt?: number;
  result?: 'ok' | 'error';
  error?: string;
}

/** What a custom gate is told: the node about to go (pre-drain gates) and the run's signal. */
export interface CustomCheckContext {
  node?: string;
  signal?: AbortSignal;
}

/**
 * true passes, false waits; a command gate answers with a full decision (a block has a code).
 * A custom gate reads the cluster (workload health role): it cannot cordon, drain or renew.
 */
export type CustomCheck = (
  kubernetes: WorkloadHealthPort,
  context?: CustomCheckContext,
) => Promise<boolean | GateDecision>;

export interface VerifiedBackup {
  serial: number;
  lineage: string;
  key: string;
  sha256: string;
}

/** The Kubernetes roles the engine's context carries (the lease is reached through LockPort only). */
export interface KubernetesRoles {
  /** Node reads only: gates, pre-act checks, scheduling. */
  nodeReads: NodeReadPort;
  /** Cordon, drain, uncordon: the node cycle and cleanup. */
  nodes: NodesPort;
  workloadHealth: WorkloadHealthPort;
  storageHealth: StorageHealthPort;
}

/** One adapter object implementing every role serves each of them. */
export function kubernetesRoles(port: KubernetesPort): KubernetesRoles {
  return { nodeReads: port, nodes: port, workloadHealth: port, storageHealth: port };
}

/**
 * The ports as the engine holds them: Kubernetes only by role (`RunState.kubernetes`), so a
 * gate cannot cordon and a drain cannot renew the lease (the lease is `lock`, LockPort).
 */
export type EnginePorts = Omit<Ports, 'kubernetes'>;

export interface RunState {
  plan: Plan;
  inventory: Inventory;
  policy: Policy;
  ports: EnginePorts;
  /** The Kubernetes API by role: nodes and drain, workload health, storage health. */
  kubernetes: KubernetesRoles;
  durations: StepDurations;
  runId: string;
  redactor: Redactor;
  /** Aborts on the caller's signal. */
  signal: AbortSignal | undefined;
  /** Every infrastructure operation runs under it (one state, one operation at a time). */
  stateMutex: Mutex;
  /** This run's journal entries so far (from earlier processes too, when resuming). */
  entries: JournalEntry[];
  lastVerifiedBackup: VerifiedBackup | undefined;
  /**
   * Custom pre-drain gates by name (plans show them as `custom:<name>`): true passes, false
   * waits, a thrown error is unknown (a wait). Wired by the caller from the config's gates.
   */
  customChecks: Record<string, CustomCheck>;
  /** Nodes whose units are running now (taken out of service by this run). */
  inFlightNodes: Set<string>;
  /** Set on the first failure or abort: no further unit starts. */
  stopRequested: boolean;
  /** Maintenance windows: checked before a node's cycle, a cluster step or a rebuild batch. */
  window?: WindowGuard | undefined;
  /** The cluster lease, confirmed (renewed) on demand before every destructive step. */
  lease?: { confirm(): Promise<GateDecision> };
  audit(record: Omit<AuditRecord, 'at' | 'runId'>): void;
  log(level: 'info' | 'warn' | 'error', message: string, node?: string): void;
}

/** `A`: the action(s) of the step; a handler sees its own step's params, typed. */
export interface StepContext<out A extends StepAction = StepAction> {
  run: RunState;
  step: StepOf<A>;
  node: InventoryNode | undefined;
  /** step-started entries of this step from earlier attempts or processes (resume evidence). */
  priorStarts: JournalEntry[];
  /** What `observe` saw before this attempt started (also in its step-started entry). */
  observed: Record<string, unknown> | undefined;
  /** Runs one port operation: audited, retried on transient errors per policy.retry. */
  call<T>(
    operation: string,
    inputs: Record<string, unknown>,
    fn: (attempt: number) => Promise<T>,
    options?: { retry: boolean },
  ): Promise<T>;
}

export interface StepResult {
  outcome: 'succeeded' | 'skipped';
  message?: string;
  data?: Record<string, unknown>;
}

export interface StepHandler<A extends StepAction = StepAction> {
  /** Reads live state before the step-started entry is written, so resume can compare. */
  observe?(ctx: StepContext<A>): Promise<Record<string, unknown> | undefined>;
  run(ctx: StepContext<A>): Promise<StepResult>;
  /** The step changes the node irreversibly (etcd membership, VM, OS): undo is no longer safe. */
  destructive?: boolean;
}

export function requireNode(ctx: StepContext): InventoryNode {
  if (ctx.node === undefined) throw new Error(`step ${ctx.step.id} needs a node`);
  return ctx.node;
}
