/**
 * A plan the engine is handed is checked before anything happens (core/plan-check.ts): a step
 * without the params its action needs is refused, exit 2 naming the step and the field, and
 * never run or taken as done. The hazard, on the twin: a resumed replace-vm with no addresses
 * would find "every" VM resource of an empty list back in a moved state and count the VM as
 * recreated by the apply that died.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_DURATIONS } from '../../src/core/durations.js';
import { exitCodeFor } from '../../src/core/errors.js';
import type { Plan } from '../../src/core/plan.js';
import { Redactor } from '../../src/core/redact.js';
import {
  DEFAULT_LEASE_NAME,
  DEFAULT_LEASE_NAMESPACE,
} from '../../src/adapters/kubernetes/lease-lock.js';
import { runUpgrade } from '../../src/engine/run-upgrade.js';
import type { JournalEntry } from '../../src/ports/journal.js';
import { twinRun } from '../../src/engine/testing/twin-run.js';

/** The twin's plan as JSON from outside would carry it, with `params` for the step `stepId`. */
function planWith(plan: Plan, stepId: string, params: unknown): Plan {
  const copy = JSON.parse(JSON.stringify(plan)) as Plan;
  for (const phase of copy.phases)
    for (const unit of phase.units)
      for (const step of unit.steps)
        if (step.id === stepId) (step as { params: unknown }).params = params;
  return copy;
}

describe('the engine refuses a plan whose step lacks its params', () => {
  // Without the check, `addresses: []` ends "already replaced: ... the apply that died created
  // it" with no VM replaced, and `{}` fails only after w-1 was cordoned and drained.
  it.each([
    ['no addresses', {}],
    ['an empty list of addresses', { addresses: [] }],
  ])(
    'a resumed run whose replace-vm has %s is exit 2 naming the step; nothing runs, nothing is taken as replaced',
    async (_name, params) => {
      const t = await twinRun();
      const runId = 'twin-test';
      const { serial } = await t.cluster.ports.infrastructure.pullState();
      const at = t.cluster.clock.now();
      // A process died during w-1's apply: the state moved past the serial it started from.
      const prior: JournalEntry[] = [
        { type: 'run-started', at, runId, kind: 'cattle', from: '1.10.8', to: '1.11.0' },
        {
          type: 'step-started',
          at,
          runId,
          stepId: 'w-1/replace-vm',
          node: 'w-1',
          action: 'replace-vm',
        },
        {
          type: 'note',
          at,
          runId,
          stepId: 'w-1/replace-vm',
          node: 'w-1',
          action: 'replace-vm',
          data: { applyStarting: true, serial: serial - 1 },
        },
      ];
      for (const entry of prior) await t.run.ports.journal.append(entry);
      const run = runUpgrade({
        plan: planWith(t.run.plan, 'w-1/replace-vm', params),
        inventory: t.run.inventory,
        ports: { ...t.run.ports, kubernetes: t.cluster.ports.kubernetes },
        durations: DEFAULT_STEP_DURATIONS,
        runId,
        holderIdentity: 'drover/twin-test',
        resume: true,
        redactor: new Redactor(),
      });
      const error = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'PLAN_INVALID', details: { stepId: 'w-1/replace-vm' } });
      expect((error as Error).message).toContain('step w-1/replace-vm: params.addresses');
      expect(exitCodeFor(error)).toBe(2);
      // Nothing was journaled (no step counted as done), nothing replaced, the lease never taken.
      expect(await t.run.ports.journal.readAll()).toEqual(prior);
      expect(t.cluster.vmReplacements()['w-1'] ?? 0).toBe(0);
      const lease = await t.cluster.ports.kubernetes.getLease(
        DEFAULT_LEASE_NAMESPACE,
        DEFAULT_LEASE_NAME,
      );
      expect(lease?.holderIdentity).toBeUndefined();
    },
  );

  it('a resumed journal whose finished entry for w-1/replace-vm is of another action is exit 2 naming the step; the VM is not skipped as done', async () => {
    const t = await twinRun();
    const runId = 'twin-test';
    const at = t.cluster.clock.now();
    const prior: JournalEntry[] = [
      { type: 'run-started', at, runId, kind: 'cattle', from: '1.10.8', to: '1.11.0' },
      {
        type: 'step-finished',
        at,
        runId,
        stepId: 'w-1/replace-vm',
        node: 'w-1',
        action: 'drain',
        outcome: 'succeeded',
      },
    ];
    for (const entry of prior) await t.run.ports.journal.append(entry);
    const error = await runUpgrade({
      plan: t.run.plan,
      inventory: t.run.inventory,
      ports: { ...t.run.ports, kubernetes: t.cluster.ports.kubernetes },
      durations: DEFAULT_STEP_DURATIONS,
      runId,
      holderIdentity: 'drover/twin-test',
      resume: true,
      redactor: new Redactor(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'JOURNAL_OTHER_RUN',
      details: { stepId: 'w-1/replace-vm' },
    });
    expect(exitCodeFor(error)).toBe(2);
    expect(await t.run.ports.journal.readAll()).toEqual(prior);
  });
});
