/**
 * Safety rules of the engine, each judged on the twin rather than on a fake that enforces the
 * rule itself (scripts/mutations.mjs breaks each one and expects a test here to turn red).
 */
import { describe, expect, it } from 'vitest';
import { smallScenarioInput } from '../../src/adapters/simulated/testing/fixtures.js';
import { storageDomain } from '../../src/core/inventory.js';
import { drainNode } from '../../src/engine/drain.js';
import { othersAwayInDomain } from '../../src/engine/noout-count.js';
import { preActDecision } from '../../src/engine/pre-act-check.js';
import { takeVerifiedBackup } from '../../src/engine/state-backup.js';
import { STEP_HANDLERS } from '../../src/engine/steps/index.js';
import { overriding, twinRun } from '../../src/engine/testing/twin-run.js';

const w1 = (t: Awaited<ReturnType<typeof twinRun>>) =>
  t.cluster.inventory.nodes.find((n) => n.name === 'w-1')!;

describe('engine safety on the twin', () => {
  it('a Ceph read that throws is unknown: the health gate waits until its deadline and stops; it never passes', async () => {
    const t = await twinRun({
      decorate: (ports) =>
        overriding(ports, 'kubernetes', 'cephStatus', () => async () => {
          throw new Error('connection reset by peer');
        }),
    });
    await expect(
      STEP_HANDLERS['gate-health'].run(t.context('w-1/gate-health')),
    ).rejects.toMatchObject({
      code: 'HEALTH_GATE_BLOCKED',
    });
    expect(t.events.some((e) => e.type === 'gate-waiting' && /unknown/.test(e.reason))).toBe(true);
  });

  it('a version read that throws is unknown: verify-version waits and stops, never passes', async () => {
    const t = await twinRun({
      decorate: (ports) =>
        overriding(ports, 'talos', 'version', () => async () => {
          throw new Error('rpc error: code = Unavailable desc = connection refused');
        }),
    });
    await expect(
      STEP_HANDLERS['verify-version'].run(t.context('w-1/verify-version')),
    ).rejects.toMatchObject({
      code: 'VERSION_MISMATCH',
    });
  });

  it('uncordon refuses a Ready node that is not at the target version; it stays cordoned', async () => {
    const t = await twinRun();
    await t.cluster.ports.kubernetes.cordon('w-1');
    await expect(STEP_HANDLERS.uncordon.run(t.context('w-1/uncordon'))).rejects.toMatchObject({
      code: 'UNCORDON_REFUSED',
    });
    expect((await t.cluster.ports.kubernetes.getNode('w-1'))?.unschedulable).toBe(true);
  });

  it('verify-version asks the Talos API too: a Node object at the target is not enough', async () => {
    const t = await twinRun({
      decorate: (ports) =>
        overriding(ports, 'kubernetes', 'getNode', (getNode) => async (name) => {
          const view = await getNode(name);
          return (
            view && { ...view, talosVersion: t.cluster.to, osImage: `Talos (v${t.cluster.to})` }
          );
        }),
    });
    await expect(
      STEP_HANDLERS['verify-version'].run(t.context('w-1/verify-version')),
    ).rejects.toMatchObject({
      code: 'VERSION_MISMATCH',
    });
  });

  it('the pre-act check waits while Ceph is HEALTH_WARN on its own, whatever the budget says', async () => {
    const t = await twinRun({
      scenario: { faults: [{ type: 'ceph-warn', check: 'MON_CLOCK_SKEW', fromSeconds: 0 }] },
    });
    const decision = await preActDecision(t.context('w-1/replace-vm'), w1(t));
    expect(decision).toMatchObject({ verdict: 'wait' });
    expect(decision.verdict === 'wait' && decision.reason).toContain('MON_CLOCK_SKEW');
  });

  it('a backup that reads back other bytes is refused before anything is destroyed', async () => {
    const t = await twinRun({
      decorate: (ports) =>
        overriding(ports, 'stateBackup', 'get', (get) => async (key, signal) => {
          const bytes = await get(key, signal);
          return Uint8Array.from([...bytes, 0x0a]);
        }),
    });
    await expect(takeVerifiedBackup(t.context('w-1/backup-state'), 'w-1')).rejects.toMatchObject({
      code: 'BACKUP_MISMATCH',
    });
    expect(t.run.lastVerifiedBackup).toBeUndefined();
  });

  it('drain returns only once every evicted pod is gone from the node, not merely terminating', async () => {
    const t = await twinRun();
    await t.cluster.ports.kubernetes.cordon('w-1');
    const result = await drainNode(t.context('w-1/drain'), 'w-1');
    expect(result.evicted.length + result.forced.length).toBeGreaterThan(0);
    const left = (await t.cluster.ports.kubernetes.listPodsOnNode('w-1')).filter(
      (p) => p.controllerKind !== 'DaemonSet' && !p.mirror,
    );
    expect(left.map((p) => `${p.namespace}/${p.name}`)).toEqual([]);
  });

  it('noout stays while the other OSD nodes of the domain cannot be read (unknown is away)', async () => {
    const nodes = smallScenarioInput().nodes.map((n) =>
      n.name === 'w-4' ? { ...n, osd: true } : n,
    );
    const t = await twinRun({
      scenario: { nodes },
      decorate: (ports) =>
        overriding(ports, 'kubernetes', 'listNodes', () => async () => {
          throw new Error('etcdserver: request timed out');
        }),
    });
    const w3 = t.cluster.inventory.nodes.find((n) => n.name === 'w-3')!;
    expect(await othersAwayInDomain(t.run, storageDomain(w3), 'w-3')).toEqual(['w-4']);
  });

  it('a resumed replacement whose machine is unchanged replaces the VM: the same systemUUID is no evidence', async () => {
    const t = await twinRun();
    const view = await t.cluster.ports.kubernetes.getNode('w-1');
    const machine = { systemUUID: view?.systemUUID, bootID: view?.bootID };
    const diedBefore = {
      type: 'step-started',
      at: t.cluster.clock.now(),
      runId: 'twin-test',
      stepId: 'w-1/replace-vm',
      node: 'w-1',
      action: 'replace-vm',
      data: { machine },
    } as const;
    const result = await STEP_HANDLERS['replace-vm'].run(t.context('w-1/replace-vm', [diedBefore]));
    expect(result.outcome).toBe('succeeded');
    expect(t.cluster.vmReplacements()['w-1']).toBe(1);
  });
});
