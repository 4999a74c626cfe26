import { describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
import type { StepOf } from '../../core/plan.js';
import { makeContext } from '../step-context.js';
import { twinRun } from '../testing/twin-run.js';
import { talosUpgrade } from './talos-steps.js';

const TO = '1.11.0';

const step: StepOf<'talos-upgrade'> = {
  id: 'w-1/talos-upgrade',
  action: 'talos-upgrade',
  node: 'w-1',
  params: { image: 'factory.talos.dev/nocloud-installer/base:v1.11.0', version: TO },
  title: 'Upgrade w-1',
};

type Node = { version: string; bootId: string; answers: boolean };

/**
 * A pets upgrade where the node (version, boot, whether it answers) and each upgrade call's
 * behaviour are scripted; every talos call is recorded in order.
 */
async function setup(
  behaviour: (call: number, node: Node) => { error?: DroverError },
  signal?: AbortSignal,
) {
  const { run } = await twinRun({ kind: 'pets', ...(signal ? { signal } : {}) });
  const node: Node = { version: '1.10.8', bootId: 'boot-1', answers: true };
  const log: string[] = [];
  let calls = 0;
  const unreachable = () =>
    new DroverError('failed', 'TALOS_UNREACHABLE', 'rpc error: code = Unavailable');
  run.ports.talos.version = async () => {
    log.push('version');
    if (!node.answers) throw unreachable();
    return node.version;
  };
  run.ports.talos.bootId = async () => {
    log.push('bootId');
    if (!node.answers) throw unreachable();
    return node.bootId;
  };
  run.ports.talos.upgrade = async (_address, options) => {
    log.push(options.signal ? 'upgrade+signal' : 'upgrade');
    const b = behaviour(++calls, node);
    if (b.error) throw b.error;
  };
  const n = run.inventory.nodes.find((x) => x.name === 'w-1');
  return {
    run,
    ctx: makeContext<'talos-upgrade'>(run, step, n, []),
    node,
    log,
    calls: () => calls,
  };
}

/** The node reboots into `version` (a new boot) and answers again after `downSeconds`. */
function reboot(
  c: { run: { ports: { clock: { sleep(ms: number): Promise<void> } } } },
  node: Node,
  version: string,
  downSeconds: number,
) {
  node.answers = false;
  node.bootId = `${node.bootId}+`;
  void c.run.ports.clock.sleep(downSeconds * 1000).then(() => {
    node.version = version;
    node.answers = true;
  });
}

const lost = () =>
  new DroverError('failed', 'TALOS_UPGRADE_UNREACHABLE', '"10.0.0.21": unavailable, retrying...', {
    details: { unreachable: true },
  });

/** Every upgrade call was preceded by a successful version and boot-ID read since the last one. */
function readBeforeEveryUpgrade(log: string[]): boolean {
  let read = false;
  for (let i = 0; i < log.length; i++) {
    if (log[i] === 'version' && log[i + 1] === 'bootId') read = true;
    if (log[i]!.startsWith('upgrade')) {
      if (!read) return false;
      read = false;
    }
  }
  return true;
}

describe('talos-upgrade', () => {
  it('a node already at the target is skipped without a call', async () => {
    const s = await setup(() => ({}));
    s.node.version = TO;
    expect(await talosUpgrade.run(s.ctx)).toMatchObject({ outcome: 'skipped' });
    expect(s.calls()).toBe(0);
  });

  it('talosctl losing the node in its reboot: waits for it, reads version and boot, success with one call', async () => {
    const s = await setup((_n, node) => {
      reboot(s, node, TO, 240);
      return { error: lost() };
    });
    expect(await talosUpgrade.run(s.ctx)).toMatchObject({ outcome: 'succeeded' });
    expect(s.calls()).toBe(1);
    expect(readBeforeEveryUpgrade(s.log)).toBe(true);
    // The reads are journaled: the evidence resume decides from.
    const reads = s.run.entries.filter((e) => e.type === 'note' && e.data?.read);
    expect(reads.at(-1)?.data?.read).toEqual({ version: TO, bootId: 'boot-1+' });
    expect(s.run.entries.some((e) => e.data?.upgradeOutcome === 'TALOS_UPGRADE_UNREACHABLE')).toBe(
      true,
    );
  });

  it('an Unavailable before anything happened (same boot, old version): read, then one more call', async () => {
    const s = await setup((n, node) => {
      if (n === 1) return { error: lost() };
      reboot(s, node, TO, 60);
      return {};
    });
    expect(await talosUpgrade.run(s.ctx)).toMatchObject({ outcome: 'succeeded' });
    expect(s.calls()).toBe(2);
    expect(readBeforeEveryUpgrade(s.log)).toBe(true);
  });

  it('never more upgrade calls than the policy attempts', async () => {
    // A call past the cap is refused (not retried): an uncapped loop fails with that code
    // here in milliseconds instead of spinning the virtual clock until the test's timeout.
    const past = new DroverError('failed', 'TALOS_UPGRADE_REJECTED', 'one call past the cap');
    const s = await setup((n) => ({ error: n > s.run.policy.retry.attempts ? past : lost() }));
    await expect(talosUpgrade.run(s.ctx)).rejects.toMatchObject({ code: 'TALOS_UPGRADE_ATTEMPTS' });
    expect(s.calls()).toBe(s.run.policy.retry.attempts);
    expect(readBeforeEveryUpgrade(s.log)).toBe(true);
  });

  it('a node that came back on the old version (Talos rolled back) fails with that diagnosis, no second call', async () => {
    const s = await setup((_n, node) => {
      reboot(s, node, '1.10.8', 300);
      return {};
    });
    const error = (await talosUpgrade.run(s.ctx).catch((e: unknown) => e)) as DroverError;
    expect(error.code).toBe('TALOS_UPGRADE_ROLLED_BACK');
    expect(error.message).toMatch(/came back on Talos 1\.10\.8/);
    expect(error.hint).toMatch(/rolled back|returned to the old version/);
    expect(s.calls()).toBe(1);
  });

  it('a node that never comes back fails after the upgrade timeout, saying where it stopped', async () => {
    const s = await setup((_n, node) => {
      node.answers = false;
      return { error: lost() };
    });
    const started = s.run.ports.clock.now();
    const error = (await talosUpgrade.run(s.ctx).catch((e: unknown) => e)) as DroverError;
    expect(error.code).toBe('TALOS_NODE_NOT_BACK');
    expect(error.message).toMatch(/unavailable, retrying/);
    expect(error.message).toMatch(/last seen on Talos 1\.10\.8/);
    expect(s.run.ports.clock.now() - started).toBeGreaterThanOrEqual(
      s.run.policy.timeouts.talosUpgradeSeconds * 1000,
    );
    expect(s.calls()).toBe(1);
  });

  it('a refusal is not retried and fails the step', async () => {
    const refusal = new DroverError(
      'failed',
      'TALOS_UPGRADE_REJECTED',
      'etcd member count(2) is insufficient to maintain quorum',
    );
    const s = await setup(() => ({ error: refusal }));
    await expect(talosUpgrade.run(s.ctx)).rejects.toMatchObject({ code: 'TALOS_UPGRADE_REJECTED' });
    expect(s.calls()).toBe(1);
  });

  it.each([
    ['came back upgraded while Drover was down: succeeded, no call', TO, 'boot-1+', 'succeeded'],
    [
      'came back on the old version on a new boot: rolled back, no call',
      '1.10.8',
      'boot-1+',
      'TALOS_UPGRADE_ROLLED_BACK',
    ],
  ])('resume after a crash during the upgrade, node %s', async (_what, version, bootId, want) => {
    const s = await setup(() => ({}));
    // The crashed process journaled its call (and the read before it), then died.
    s.run.entries.push({
      type: 'note',
      at: s.run.ports.clock.now() - 60_000,
      runId: 'test',
      stepId: step.id,
      node: 'w-1',
      data: { upgradeIssued: { version: '1.10.8', bootId: 'boot-1' } },
    });
    s.node.version = version;
    s.node.bootId = bootId;
    const result = await talosUpgrade.run(s.ctx).catch((e: DroverError) => e);
    if (want === 'succeeded') expect(result).toMatchObject({ outcome: 'succeeded' });
    else expect(result).toMatchObject({ code: want });
    expect(s.calls()).toBe(0);
  });

  it('an abort never reaches the running upgrade: it finishes, its outcome is journaled, then the step stops', async () => {
    const controller = new AbortController();
    const s = await setup((_n, node) => {
      controller.abort();
      reboot(s, node, TO, 120);
      return {};
    }, controller.signal);
    await expect(talosUpgrade.run(s.ctx)).rejects.toMatchObject({ category: 'aborted' });
    expect(s.log).toContain('upgrade');
    expect(s.log).not.toContain('upgrade+signal');
    expect(s.run.entries.some((e) => e.data?.upgradeOutcome === 'ok')).toBe(true);
  });
});
