import { describe, expect, it } from 'vitest';
import {
  poolTolerance,
  storageCapNote,
  storageDomainsCap,
  storageTolerance,
  type CephPoolSpecReading,
} from './pool-tolerance.js';

const pool = (spec: Partial<CephPoolSpecReading>): CephPoolSpecReading => ({
  source: 'CephBlockPool rook-ceph/p',
  phase: 'Ready',
  ...spec,
});

describe('poolTolerance (domains of the type Drover counts)', () => {
  it.each<[string, Partial<CephPoolSpecReading>, string, number]>([
    // Ceph default min_size: size - size/2 (src/common/config.h), EC k + min(1, m-1) (OSDMonitor.cc).
    ['size 3, default min_size 2', { replicated: { size: 3 } }, 'host', 1],
    ['size 2, default min_size 1', { replicated: { size: 2 } }, 'host', 1],
    ['size 2, min_size 2', { replicated: { size: 2 }, parameters: { min_size: '2' } }, 'host', 0],
    ['size 1', { replicated: { size: 1 } }, 'host', 0],
    ['size 5, default min_size 3', { replicated: { size: 5 } }, 'host', 2],
    ['size 4, default min_size 2', { replicated: { size: 4 } }, 'host', 2],
    ['size 3, min_size 1', { replicated: { size: 3 }, parameters: { min_size: '1' } }, 'host', 2],
    [
      'EC 2+1: default min_size 2 (k + min(1, m-1))',
      { erasureCoded: { dataChunks: 2, codingChunks: 1 } },
      'host',
      1,
    ],
    ['EC 4+2: default min_size 5', { erasureCoded: { dataChunks: 4, codingChunks: 2 } }, 'host', 1],
    [
      'EC 4+2, min_size 4',
      { erasureCoded: { dataChunks: 4, codingChunks: 2 }, parameters: { min_size: '4' } },
      'host',
      2,
    ],
    ['EC 8+3: default min_size 9', { erasureCoded: { dataChunks: 8, codingChunks: 3 } }, 'host', 2],
    [
      'min_size above size: nothing',
      { replicated: { size: 3 }, parameters: { min_size: '4' } },
      'host',
      0,
    ],
    [
      'min_size not a number: nothing',
      { replicated: { size: 3 }, parameters: { min_size: 'two' } },
      'host',
      0,
    ],
    ['neither replicated nor EC: nothing', {}, 'host', 0],
    [
      'failureDomain osd while Drover counts hosts: nothing',
      { replicated: { size: 3 }, failureDomain: 'osd' },
      'host',
      0,
    ],
    [
      'failureDomain rack (coarser) keeps its tolerance',
      { replicated: { size: 3 }, failureDomain: 'rack' },
      'host',
      1,
    ],
    [
      'failureDomain host while Drover counts racks: nothing',
      { replicated: { size: 3 }, failureDomain: 'host' },
      'rack',
      0,
    ],
    [
      "a custom CRUSH type other than Drover's: nothing",
      { replicated: { size: 3 }, failureDomain: 'proxmox' },
      'host',
      0,
    ],
    [
      "a custom CRUSH type that is Drover's own",
      { replicated: { size: 3 }, failureDomain: 'proxmox' },
      'proxmox',
      1,
    ],
    [
      'size 5, 2 replicas per domain: 1 domain',
      { replicated: { size: 5, replicasPerFailureDomain: 2 } },
      'host',
      1,
    ],
    [
      'size 4, 2 replicas per domain: 1 domain',
      { replicated: { size: 4, replicasPerFailureDomain: 2 } },
      'host',
      1,
    ],
    [
      'size 3 min 2, 2 replicas per domain: 0 domains',
      { replicated: { size: 3, replicasPerFailureDomain: 2 } },
      'host',
      0,
    ],
  ])('%s', (_name, spec, counted, expected) => {
    expect(poolTolerance(pool(spec), counted).domains).toBe(expected);
  });

  it('says why, naming the default', () => {
    expect(poolTolerance(pool({ replicated: { size: 3 } }), 'host').why).toBe(
      'size 3, min_size 2 (Ceph default)',
    );
  });
});

describe('storageTolerance', () => {
  it('is the minimum over the pools, naming the limiting ones', () => {
    const t = storageTolerance([
      pool({ source: 'a', replicated: { size: 5 } }),
      pool({ source: 'b', replicated: { size: 3 } }),
      pool({ source: 'c', erasureCoded: { dataChunks: 4, codingChunks: 2 } }),
    ]);
    expect(t).toMatchObject({ known: true, domains: 1 });
    expect(t.known && t.limiting.map((p) => p.source)).toEqual(['b', 'c']);
  });

  it('no pools: no cap from Ceph (nothing declared to lose)', () => {
    expect(storageTolerance([])).toMatchObject({ known: true, domains: undefined });
  });

  it.each([['Progressing'], ['Failure'], [undefined]])(
    'a pool whose resource is %s is unknown, never its spec',
    (phase) => {
      const t = storageTolerance([pool({ replicated: { size: 5 }, phase })]);
      expect(t.known).toBe(false);
      expect(!t.known && t.reason).toContain('not Ready');
    },
  );
});

describe('storageDomainsCap and the note', () => {
  it.each<[number, number | undefined, number]>([
    [1, 1, 1],
    [2, 1, 1],
    [2, 3, 2],
    [3, 0, 0],
    [2, undefined, 2],
  ])('policy %i, pools tolerate %s: cap %i', (policy, tolerated, cap) => {
    expect(storageDomainsCap(policy, tolerated)).toBe(cap);
  });

  it('reports a policy above the tolerance, and only then', () => {
    const t = storageTolerance([pool({ replicated: { size: 3 } })]);
    expect(storageCapNote(2, t)).toBe(
      'policy allows 2 storage domains; pools tolerate 1: capped at 1 (CephBlockPool rook-ceph/p (size 3, min_size 2 (Ceph default)))',
    );
    expect(storageCapNote(1, t)).toBeUndefined();
  });
});
