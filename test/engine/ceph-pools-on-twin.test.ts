/**
 * The Ceph pools' replication caps the storage domains down; a pool list that fails (RBAC 403)
 * or a pool that is not Ready is unknown: the run waits, then stops with STORAGE_POOLS_UNKNOWN,
 * and never reads it as "no cap". Judged on the twin with a read that throws or lies.
 */
import { describe, expect, it } from 'vitest';
import { DroverError } from '../../src/core/errors.js';
import { preActDecision } from '../../src/engine/pre-act-check.js';
import { runUpgrade } from '../../src/engine/run-upgrade.js';
import {
  cordonedNodes,
  overriding,
  replacedVms,
  twinRun,
} from '../../src/engine/testing/twin-run.js';
import type { Ports } from '../../src/ports/index.js';

const forbidden = () =>
  new DroverError(
    'failed',
    'KUBE_FORBIDDEN',
    'LIST cephblockpools: cephblockpools.ceph.rook.io is forbidden: User "drover" cannot list resource "cephblockpools" in API group "ceph.rook.io" at the cluster scope',
  );

/** cephPools answers `answers` times, then throws 403 on every call. */
const poolsForbiddenAfter =
  (answers: number) =>
  (ports: Ports): Ports => {
    let left = answers;
    return overriding(ports, 'kubernetes', 'cephPools', (original) => async () => {
      if (left-- > 0) return original();
      throw forbidden();
    });
  };

/** A policy of two domains over pools that tolerate one: the pools' cap binds. */
const TWO_DOMAINS = {
  policy: { disruption: { maxUnavailableWorkers: 3, maxUnavailableDomains: 2 } },
  storage: { ceph: true, toleratedDomainsDown: 1 },
};

describe('Ceph pools on the twin', () => {
  it('unreadable pools (403) from the start: refused before any node, STORAGE_POOLS_UNKNOWN', async () => {
    const t = await twinRun();
    const report = await runUpgrade(t.upgrade({ ports: t.newPorts(poolsForbiddenAfter(0)) }));
    expect(report.failure?.code).toBe('STORAGE_POOLS_UNKNOWN');
    expect(report.failure?.message).toContain('forbidden');
    expect(replacedVms(t.cluster)).toEqual({});
    expect(await cordonedNodes(t.cluster)).toEqual([]);
  });

  it('pools unreadable mid-run under a policy of two domains: no OSD worker is started, the run stops with STORAGE_POOLS_UNKNOWN', async () => {
    const t = await twinRun({ scenario: TWO_DOMAINS });
    // The check before the first node reads them once; every later read is denied.
    const report = await runUpgrade(t.upgrade({ ports: t.newPorts(poolsForbiddenAfter(1)) }));
    expect(report.failure?.code).toBe('STORAGE_POOLS_UNKNOWN');
    const replaced = replacedVms(t.cluster);
    for (const osd of ['w-1', 'w-2', 'w-3']) expect(replaced[osd], osd).toBeUndefined();
    expect(report.violations ?? []).toEqual([]);
  });

  it('the pre-act check of an OSD node opening a second domain waits on unreadable pools, never passes', async () => {
    const t = await twinRun({ scenario: TWO_DOMAINS, decorate: poolsForbiddenAfter(0) });
    t.run.inFlightNodes.add('w-2');
    const w1 = t.cluster.inventory.nodes.find((n) => n.name === 'w-1')!;
    const decision = await preActDecision(t.context('w-1/replace-vm'), w1);
    expect(decision.verdict).toBe('wait');
    expect(decision.verdict === 'wait' && decision.reason).toContain('Ceph pools unreadable');
  });

  it('a pool whose resource is not Ready is unknown: the pre-act check waits', async () => {
    const t = await twinRun({
      scenario: TWO_DOMAINS,
      decorate: (ports) =>
        overriding(ports, 'kubernetes', 'cephPools', (original) => async () => {
          const pools = await original();
          return pools.map((p, i) => (i === 0 ? { ...p, phase: 'Progressing' } : p));
        }),
    });
    t.run.inFlightNodes.add('w-2');
    const w1 = t.cluster.inventory.nodes.find((n) => n.name === 'w-1')!;
    const decision = await preActDecision(t.context('w-1/replace-vm'), w1);
    expect(decision.verdict === 'wait' && decision.reason).toContain(
      'CephBlockPool rook-ceph/replicapool: Progressing',
    );
  });

  it('the pre-act check caps by the pools: a second storage domain waits while pools tolerate 1', async () => {
    const t = await twinRun({ scenario: TWO_DOMAINS });
    t.run.inFlightNodes.add('w-1');
    const w2 = t.cluster.inventory.nodes.find((n) => n.name === 'w-2')!;
    const decision = await preActDecision(t.context('w-2/replace-vm'), w2);
    expect(decision.verdict === 'wait' && decision.reason).toContain('the Ceph pools tolerate 1');
  });
});
