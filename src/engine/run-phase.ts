/**
 * A phase: its cluster steps in order (template rebuilds in batches of the policy's
 * concurrency), then its units: strictly one at a time, or as many as the disruption policy
 * allows (invariant disruption-budget), counting nodes that are down on their own; units started together
 * replace their VMs in one Terraform operation (steps/vm-batch). The first failure stops new
 * starts; the phase waits for units in flight (see run-unit) and rethrows it.
 */
import { DroverError } from '../core/errors.js';
import { findNode } from '../core/inventory.js';
import type { InventoryNode } from '../core/inventory.js';
import type { GateDecision } from '../core/gates.js';
import type { NodeUnit, PlanPhase, PlanStep } from '../core/plan.js';
import { disruptionFor, pickRunnableUnits } from '../core/schedule.js';
import type { RunState } from './context.js';
import { hasAnyEntry, isStepDone } from './journal-view.js';
import { fitBatchToCapacity } from './capacity-fit.js';
import { outOfServiceNow } from './out-of-service.js';
import { pause } from './retry.js';
import { runStep } from './run-step.js';
import type { StepRunOptions } from './run-step.js';
import { runUnit } from './run-unit.js';
import { runOneAtATime } from './run-one-at-a-time.js';
import { poolBlockedError, readPoolCap, type PoolBlocker } from './storage-cap.js';
import { isWindowClosed } from './window-gate.js';
import { closeTemplateBatch, openTemplateBatch } from './steps/template-batch.js';
import { isBatchMateStop, leaveVmBatch, openVmBatch } from './steps/vm-batch.js';
import { leaveBatchBackup, openBatchBackup } from './steps/vm-batch-backup.js';

/**
 * Consecutive template rebuilds in batches of templateRebuildConcurrency: each batch is one
 * state operation (see steps/template-batch), its steps journaled one by one. Steps the journal
 * already has done are left out before batching; batches run one after another.
 */
async function rebuildTemplates(
  run: RunState,
  steps: PlanStep[],
  options: StepRunOptions,
): Promise<void> {
  const pending = steps.filter((s) => !isStepDone(run.entries, s.id));
  const size = Math.max(1, run.policy.disruption.templateRebuildConcurrency);
  for (let i = 0; i < pending.length && !run.stopRequested; i += size) {
    const members = pending.slice(i, i + size);
    run.window?.beforeStart(
      `template rebuilds ${members.map((s) => s.id).join(', ')}`,
      members,
      'parallel',
    );
    const batch = openTemplateBatch(run, members);
    try {
      const results = await Promise.allSettled(
        // A step that fails before its handler decides must not hold the others up.
        members.map((s) => runStep(run, s, undefined, options).finally(() => batch.leave(s.id))),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      closeTemplateBatch(run, batch);
    }
  }
}

async function runClusterSteps(
  run: RunState,
  steps: PlanStep[],
  options: StepRunOptions,
): Promise<void> {
  for (let i = 0; i < steps.length;) {
    const step = steps[i] as PlanStep;
    if (step.action === 'rebuild-template') {
      const group: PlanStep[] = [];
      while (i < steps.length && steps[i]?.action === 'rebuild-template')
        group.push(steps[i++] as PlanStep);
      await rebuildTemplates(run, group, options);
    } else {
      if (!isStepDone(run.entries, step.id)) run.window?.beforeStart(step.id, [step]);
      await runStep(run, step, undefined, options);
      i++;
    }
  }
}

/** The replace-vm steps of these units still to run, as one batch (none for a lone unit). */
function openVmBatchOf(run: RunState, units: NodeUnit[]): void {
  const steps = units.flatMap((u) =>
    u.steps.filter((s) => s.action === 'replace-vm' && !isStepDone(run.entries, s.id)),
  );
  if (steps.length > 1) openVmBatch(run, steps);
  // ...and one state backup before it (steps/vm-batch-backup).
  openBatchBackup(
    run,
    units.flatMap((u) =>
      u.steps.filter((s) => s.action === 'backup-state' && !isStepDone(run.entries, s.id)),
    ),
  );
}

function leaveVmBatches(run: RunState, units: NodeUnit[]): void {
  for (const u of units)
    for (const s of u.steps) {
      if (s.action === 'replace-vm') leaveVmBatch(run, s.id);
      if (s.action === 'backup-state') leaveBatchBackup(run, s.id);
    }
}

const unitDone = (run: RunState, unit: NodeUnit) =>
  unit.steps.every((s) => isStepDone(run.entries, s.id));

function nodesOf(run: RunState, units: NodeUnit[]): InventoryNode[] {
  return units.flatMap((u) => findNode(run.inventory, u.node) ?? []);
}

async function runScheduled(
  run: RunState,
  units: NodeUnit[],
  options: StepRunOptions,
): Promise<void> {
  const { clock } = run.ports;
  const nodeReads = run.kubernetes.nodeReads;
  const pending = units.filter((u) => !unitDone(run, u));
  const running = new Map<string, Promise<void>>();
  const errors: unknown[] = [];
  const start = (unit: NodeUnit) => {
    pending.splice(pending.indexOf(unit), 1);
    const p = runUnit(run, unit, options)
      .catch((error) => {
        errors.push(error);
        // A unit the window held back stops nothing: the units running finish their cycles.
        if (!isWindowClosed(error)) run.stopRequested = true;
      })
      .finally(() => {
        running.delete(unit.node);
        leaveVmBatches(run, [unit]);
      });
    running.set(unit.node, p);
  };
  // Units started together share one Terraform operation for their VMs (steps/vm-batch).
  const startTogether = (together: NodeUnit[]) => {
    openVmBatchOf(run, together);
    for (const unit of together) start(unit);
  };
  // Units a crashed run left half-done are out of service already: finish them first.
  startTogether(
    pending.filter((u) =>
      hasAnyEntry(
        run.entries,
        u.steps.map((s) => s.id),
      ),
    ),
  );
  let blockedSince: number | undefined;
  let capacityShort: Exclude<GateDecision, { verdict: 'pass' }> | undefined;
  let poolsBlocked: PoolBlocker | undefined;
  let delay = run.policy.retry.initialBackoffSeconds * 1000;
  while (!run.stopRequested && (pending.length > 0 || running.size > 0)) {
    if (run.signal?.aborted) break;
    let started = 0;
    if (pending.length > 0) {
      const nodes = await nodeReads.listNodes().catch(() => undefined);
      if (nodes !== undefined) {
        const busy = new Set([...running.keys()]);
        const waiting = new Set(pending.map((u) => u.node));
        // The pre-act check's view (out-of-service.ts): a batch it would refuse is not started.
        // A pending node cordoned by someone else is Drover's to take, not a loss of its own.
        const outOfService = await outOfServiceNow(
          run,
          nodesOf(run, units).filter((n) => !busy.has(n.name)),
          nodes,
          { cordonedIsOut: (n) => !waiting.has(n.name) },
        );
        // Ceph: the pools' tolerance caps the OSD domains down; unknown opens none. Under a
        // policy of one domain only a tolerance of 0 could lower it, which is refused before
        // the first node (storage-cap.ts); the pre-act check reads them where they can bind.
        const osdPending =
          disruptionFor(run.plan.kind, run.policy).maxUnavailableDomains > 1 &&
          nodesOf(run, pending).some((n) => n.storage?.osd === true);
        const pools = osdPending ? await readPoolCap(run) : undefined;
        poolsBlocked = pools?.blocker;
        const budgeted = pickRunnableUnits({
          pending: nodesOf(run, pending),
          inProgress: nodesOf(
            run,
            units.filter((u) => busy.has(u.node)),
          ),
          outOfService,
          policy: disruptionFor(run.plan.kind, run.policy),
          poolTolerance: pools === undefined ? undefined : pools.known ? pools.tolerated : 0,
        });
        // Issue 15: the evicted pods must fit on the workers staying in service, else fewer go.
        const fit = await fitBatchToCapacity(
          run,
          budgeted,
          nodes,
          new Set([...busy, ...outOfService.map((n) => n.name)]),
        );
        capacityShort = fit.decision.verdict === 'pass' ? undefined : fit.decision;
        if (capacityShort && fit.fitting.length > 0)
          run.log(
            'info',
            `batch shrunk to ${fit.fitting.map((n) => n.name).join(', ')}: ${capacityShort.reason}`,
          );
        const picked = fit.fitting;
        const together = picked.flatMap(
          (node) => pending.find((u) => u.node === node.name && !running.has(u.node)) ?? [],
        );
        startTogether(together);
        started += together.length;
      }
    }
    if (running.size > 0) {
      blockedSince = undefined;
      delay = run.policy.retry.initialBackoffSeconds * 1000;
      await Promise.race(running.values());
      continue;
    }
    if (started === 0 && pending.length > 0) {
      const now = clock.now();
      blockedSince ??= now;
      if (now - blockedSince >= run.policy.timeouts.gateSeconds * 1000) {
        if (poolsBlocked) throw poolBlockedError(poolsBlocked, run.policy.timeouts.gateSeconds);
        if (capacityShort)
          throw new DroverError(
            'refused',
            'CAPACITY_SHORT',
            `no worker may go: ${capacityShort.reason} (waited ${run.policy.timeouts.gateSeconds}s)`,
            {
              hint: "Free capacity on the workers staying in service (or lower the pods' requests), then run again with --resume.",
              details: { pending: pending.map((u) => u.node) },
            },
          );
        throw new DroverError(
          'refused',
          'DISRUPTION_BUDGET_EXHAUSTED',
          `no worker may go: nodes out of service on their own use the disruption budget (waited ${run.policy.timeouts.gateSeconds}s)`,
          {
            hint: 'Bring the NotReady nodes back (or raise policy.disruption), then run again with --resume.',
            details: { pending: pending.map((u) => u.node) },
          },
        );
      }
      run.log(
        'warn',
        poolsBlocked
          ? `waiting: ${poolsBlocked.reason}`
          : capacityShort
            ? `waiting: ${capacityShort.reason}`
            : 'waiting: the disruption budget is used by nodes out of service on their own',
      );
      await pause(clock, delay, run.signal);
      delay = Math.min(delay * 2, run.policy.retry.maxBackoffSeconds * 1000);
    }
  }
  await Promise.all(running.values());
  // The cause, not a batch mate that stopped because of it; a real failure before the window's end.
  if (errors.length > 0)
    throw (
      errors.find((e) => !isBatchMateStop(e) && !isWindowClosed(e)) ??
      errors.find((e) => !isBatchMateStop(e)) ??
      errors[0]
    );
}

export async function runPhase(
  run: RunState,
  phase: PlanPhase,
  options: StepRunOptions,
): Promise<void> {
  const { reporter, clock } = run.ports;
  reporter.event({ type: 'phase-started', at: clock.now(), phase: phase.id, title: phase.title });
  await runClusterSteps(run, phase.steps, options);
  if (phase.concurrency === 'one-at-a-time') {
    await runOneAtATime(run, phase.units, options);
  } else {
    await runScheduled(run, phase.units, options);
  }
  reporter.event({ type: 'phase-finished', at: clock.now(), phase: phase.id });
}
