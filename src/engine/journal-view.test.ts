import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../ports/journal.js';
import { effectiveEntries, hasAnyEntry, isStepDone, startsOf } from './journal-view.js';

/** The definitions the indexed view must agree with: a scan of the effective entries. */
const reference = {
  isStepDone: (all: JournalEntry[], id: string) =>
    effectiveEntries(all).some(
      (e) =>
        e.type === 'step-finished' &&
        e.stepId === id &&
        (e.outcome === 'succeeded' || e.outcome === 'skipped'),
    ),
  startsOf: (all: JournalEntry[], id: string) =>
    effectiveEntries(all).filter((e) => e.type === 'step-started' && e.stepId === id),
  hasAnyEntry: (all: JournalEntry[], ids: string[]) =>
    effectiveEntries(all).some(
      (e) => e.stepId !== undefined && ids.includes(e.stepId) && e.type.startsWith('step-'),
    ),
};

/** A small deterministic PRNG (mulberry32), so that a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NODES = ['n1', 'n2', 'n3'];
const ACTIONS = ['cordon', 'drain', 'storage-noout-set', 'replace-vm'];
const stepIds = NODES.flatMap((n) => ACTIONS.map((a) => `${n}/${a}`));

function randomEntry(next: () => number, at: number): JournalEntry {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const r = next();
  if (r < 0.08)
    return { type: 'note', at, runId: 'r', node: pick(NODES), data: { restored: true } };
  if (r < 0.14)
    return { type: 'note', at, runId: 'r', data: { undoneSteps: [pick(stepIds), pick(stepIds)] } };
  const stepId = pick(stepIds);
  const node = stepId.slice(0, stepId.indexOf('/'));
  if (r < 0.5) return { type: 'step-started', at, runId: 'r', stepId, node };
  return {
    type: 'step-finished',
    at,
    runId: 'r',
    stepId,
    node,
    outcome: pick(['succeeded', 'skipped', 'failed', 'aborted'] as const),
  };
}

describe('journal view (indexed, brought up to date as the journal grows)', () => {
  it('answers as the effective entries do, after every append, over random journals', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const next = rng(seed);
      const journal: JournalEntry[] = [];
      for (let i = 0; i < 80; i++) {
        journal.push(randomEntry(next, i));
        for (const id of stepIds) {
          expect(isStepDone(journal, id), `seed ${seed} entry ${i} ${id}`).toBe(
            reference.isStepDone(journal, id),
          );
          expect(startsOf(journal, id)).toEqual(reference.startsOf(journal, id));
        }
        const some = [
          stepIds[i % stepIds.length] as string,
          stepIds[(i * 7) % stepIds.length] as string,
        ];
        expect(hasAnyEntry(journal, some)).toBe(reference.hasAnyEntry(journal, some));
      }
    }
  });

  it('starts over for a journal that is not the one it indexed (shorter, or another start)', () => {
    const done: JournalEntry = {
      type: 'step-finished',
      at: 1,
      runId: 'r',
      stepId: 'a',
      node: 'n1',
      outcome: 'succeeded',
    };
    const journal: JournalEntry[] = [done];
    expect(isStepDone(journal, 'a')).toBe(true);
    journal.length = 0;
    journal.push({ type: 'step-started', at: 2, runId: 'r', stepId: 'a', node: 'n1' });
    expect(isStepDone(journal, 'a')).toBe(false);
    expect(startsOf(journal, 'a')).toHaveLength(1);
  });

  it('reads each journal entry a bounded number of times however often it is asked (no rescans)', () => {
    let reads = 0;
    const backing: JournalEntry[] = [];
    const journal = new Proxy(backing, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const stepId = `node-${i}/cordon`;
      journal.push({ type: 'step-started', at: i, runId: 'r', stepId, node: `node-${i}` });
      journal.push({
        type: 'step-finished',
        at: i,
        runId: 'r',
        stepId,
        node: `node-${i}`,
        outcome: 'succeeded',
      });
      // The engine asks about steps after every append: a rescan would read n^2 entries.
      expect(isStepDone(journal, stepId)).toBe(true);
      expect(isStepDone(journal, `node-${i + 1}/cordon`)).toBe(false);
      expect(startsOf(journal, stepId)).toHaveLength(1);
    }
    // Each entry is indexed once, and each answer reads the one or two entries it is about.
    expect(reads).toBeLessThan(8 * 2 * n);
  });
});
