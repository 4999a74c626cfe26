import { describe, expect, it } from 'vitest';
import { referenceInventory } from '../../../test/fixtures/reference-inventory.js';
import type { Plan } from '../../core/plan.js';
import { buildPlan } from '../../core/plan-build.js';
import { DEFAULT_POLICY } from '../../core/policy.js';
import { selectPlan } from '../../core/selection.js';
import type { Selection } from '../../core/selection.js';
import type { NodeView } from '../../ports/kubernetes.js';
import type { JournalEntry } from '../../ports/journal.js';
import { selectLive } from './live-selection.js';

const inventory = referenceInventory();
const full = buildPlan('pets', { inventory, policy: DEFAULT_POLICY, from: '1.10.8', to: '1.10.9' });
const view = (name: string, talos: string, extra: Partial<NodeView> = {}) =>
  ({ name, talosVersion: talos, ready: 'True', unschedulable: false, ...extra }) as NodeView;
const nodes = [
  view('k8s-work-1', '1.10.9'),
  view('k8s-work-2', '1.10.9', { unschedulable: true }),
  view('k8s-work-3', '1.10.9', { ready: 'False' }),
  view('k8s-work-4', '1.10.8'),
];
const kept = (p: Plan) => p.selection?.nodes;
const live = (selection: Selection, reads: Partial<Parameters<typeof selectLive>[3]> = {}) =>
  selectLive(full, selectPlan(full, inventory, selection), inventory, {
    listNodes: async () => nodes,
    resume: false,
    ...reads,
  });

describe('selectLive', () => {
  it('passes over nodes at the target, Ready and schedulable (the engine skip rule), only for a limit', async () => {
    expect(kept(await live({ canary: 2 }))).toEqual(['k8s-work-2', 'k8s-work-3']);
    expect(kept(await live({ role: 'worker' }))).toHaveLength(12);
  });

  it('an unreadable cluster: the first N (the pre-flight then stops on it)', async () => {
    const plan = await live({ canary: 1 }, { listNodes: () => Promise.reject(new Error('down')) });
    expect(kept(plan)).toEqual(['k8s-work-1']);
  });

  const journal = (entries: JournalEntry[]) => ({
    append: async () => undefined,
    readAll: async () => entries,
  });
  const started: JournalEntry = {
    type: 'run-started',
    at: 1,
    runId: 'r',
    kind: 'pets',
    to: '1.10.9',
    data: {
      selection: { requested: { canary: 2 }, nodes: ['k8s-work-7', 'k8s-work-8'], canary: true },
    },
  };

  it('--resume of an unfinished (or failed) selected run keeps its nodes', async () => {
    for (const tail of [
      [],
      [{ type: 'run-finished', at: 2, runId: 'r', outcome: 'failed' }],
    ] as JournalEntry[][]) {
      const plan = await live(
        { canary: 2 },
        { resume: true, journal: journal([started, ...tail]) },
      );
      expect(kept(plan)).toEqual(['k8s-work-7', 'k8s-work-8']);
    }
  });

  it('--resume after it succeeded, or of another target: live again', async () => {
    const done: JournalEntry = { type: 'run-finished', at: 2, runId: 'r', outcome: 'succeeded' };
    expect(
      kept(await live({ canary: 2 }, { resume: true, journal: journal([started, done]) })),
    ).toEqual(['k8s-work-2', 'k8s-work-3']);
    const other = { ...started, to: '1.10.10' };
    expect(kept(await live({ canary: 2 }, { resume: true, journal: journal([other]) }))).toEqual([
      'k8s-work-2',
      'k8s-work-3',
    ]);
  });
});
