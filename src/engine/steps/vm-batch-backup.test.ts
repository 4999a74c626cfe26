import { describe, expect, it } from 'vitest';
import { allSteps } from '../../core/plan.js';
import { findStep } from '../../core/plan-step.js';
import { counting } from '../testing/twin-faults.js';
import { twinRun } from '../testing/twin-run.js';
import { noteStateChange } from '../state-backup.js';
import { leaveBatchBackup, openBatchBackup } from './vm-batch-backup.js';
import { backupState } from './vm-steps.js';

async function setup() {
  let puts = () => 0;
  const t = await twinRun({
    decorate: (ports) => {
      const counted = counting(ports, 'stateBackup', 'put');
      puts = counted.count;
      return counted.ports;
    },
  });
  const steps = ['w-1', 'w-2', 'w-3'].map((n) =>
    findStep(allSteps(t.run.plan), `${n}/backup-state`)!,
  );
  return { ...t, steps, puts: () => puts() };
}

describe('one state backup per VM batch (issue 15)', () => {
  it('the first member takes it, its batch mates report it as theirs without a backup of their own', async () => {
    const { run, context, steps, puts } = await setup();
    openBatchBackup(run, steps);
    const first = await backupState.run(context('w-2/backup-state'));
    const second = await backupState.run(context('w-1/backup-state'));
    const third = await backupState.run(context('w-3/backup-state'));
    expect(puts()).toBe(1);
    const key = (first.data?.backup as { key: string }).key;
    expect(first.data?.takenBy).toBeUndefined();
    for (const r of [second, third]) {
      expect((r.data?.backup as { key: string }).key).toBe(key);
      expect(r.data?.takenBy).toBe('w-2');
      expect(r.message).toContain('taken for its batch by w-2');
    }
    // One backup, read back and verified, of the state as it is now.
    const state = await run.ports.infrastructure.pullState();
    expect(run.lastVerifiedBackup).toMatchObject({ key, serial: state.serial });
  });

  it('after an apply went out, a batch mate takes a fresh backup rather than reuse the stale one', async () => {
    const { run, context, steps, puts } = await setup();
    openBatchBackup(run, steps);
    const first = await backupState.run(context('w-1/backup-state'));
    noteStateChange(run);
    const second = await backupState.run(context('w-2/backup-state'));
    expect(puts()).toBe(2);
    expect(second.data?.takenBy).toBeUndefined();
    expect((second.data?.backup as { key: string }).key).not.toBe(
      (first.data?.backup as { key: string }).key,
    );
  });

  it('members that ask together wait for the one backup; a lone step (no batch) takes its own', async () => {
    const { run, context, steps, puts } = await setup();
    openBatchBackup(run, steps.slice(0, 2));
    const both = await Promise.all([
      backupState.run(context('w-1/backup-state')),
      backupState.run(context('w-2/backup-state')),
    ]);
    expect(puts()).toBe(1);
    expect(both.filter((r) => r.data?.takenBy !== undefined)).toHaveLength(1);
    leaveBatchBackup(run, steps[0]!.id);
    await backupState.run(context('w-1/backup-state'));
    await backupState.run(context('w-3/backup-state'));
    expect(puts()).toBe(3);
  });

  it('a failed backup is nobody’s: the next member takes it again', async () => {
    const { run, context, steps, puts } = await setup();
    openBatchBackup(run, steps);
    const put = run.ports.stateBackup.put.bind(run.ports.stateBackup);
    let failures = 1;
    run.ports.stateBackup.put = async (...args) => {
      if (failures-- > 0) throw new Error('503 Slow Down (test)');
      return put(...args);
    };
    run.policy = { ...run.policy, retry: { ...run.policy.retry, attempts: 1 } };
    await expect(backupState.run(context('w-1/backup-state'))).rejects.toThrow('503');
    const second = await backupState.run(context('w-2/backup-state'));
    expect(second.data?.takenBy).toBeUndefined();
    // The failed put never reached the store (counted below the failing one): one backup stored.
    expect(puts()).toBe(1);
  });
});
