import { describe, expect, it } from 'vitest';
import type { NodeView } from '../../ports/kubernetes.js';
import { collectDiagnosis, diagnosisSummary } from './collect.js';

const node = (name: string, ready: 'True' | 'False', unschedulable = false) =>
  ({
    name,
    ready,
    unschedulable,
    osImage: 'Talos (v1.10.8)',
    talosVersion: '1.10.8',
    kubeletVersion: '1.33.5',
    labels: {},
  }) as unknown as NodeView;

describe('collectDiagnosis', () => {
  it('records a read that fails as unknown with its error, and still runs the others', async () => {
    const asked: string[] = [];
    const bundle = await collectDiagnosis({
      cluster: 'prox-ops',
      kubernetes: {
        listNodes: async () => [node('cp-1', 'True'), node('w-1', 'False', true)],
        problemPods: async () => {
          throw new Error('503 from the API server');
        },
        cephHealth: async () => undefined,
      },
      talos: {
        etcdMembers: async (n) => {
          asked.push(n);
          if (n === '10.0.0.1') throw new Error('connection refused');
          return [{ id: 'a', hostname: 'cp-2', learner: false }] as never;
        },
        etcdStatus: async () => {
          throw new Error('x509: certificate signed by unknown authority');
        },
      },
      controlPlane: ['10.0.0.1', '10.0.0.2'],
      readJournal: async () =>
        Array.from({ length: 80 }, (_, i) => ({ type: 'note', at: i, runId: 'r' }) as never),
      now: () => 0,
    });
    expect(bundle.nodes).toMatchObject({ ok: true });
    expect(bundle.problemPods).toEqual({ ok: false, error: '503 from the API server' });
    expect(bundle.ceph).toEqual({ ok: true, data: null });
    expect(asked).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(bundle.etcdMembers).toMatchObject({ ok: true, data: [{ hostname: 'cp-2' }] });
    expect(bundle.etcdStatus).toMatchObject({ ok: false });
    expect(bundle.journalTail.ok && bundle.journalTail.data.map((e) => e.at)).toEqual(
      Array.from({ length: 50 }, (_, i) => 30 + i),
    );
    expect(bundle.report).toEqual({ ok: false, error: 'not given' });
    const summary = diagnosisSummary(bundle);
    expect(summary).toContain('not Ready: w-1; cordoned: w-1');
    expect(summary).toContain('- pods: **unknown** (503 from the API server)');
    expect(summary).toContain('- etcd status: **unknown** (x509');
    expect(summary).not.toMatch(/etcd unhealthy: none/);
  });
});
