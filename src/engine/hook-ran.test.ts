/** hookRan answers from an index kept with the journal (issue #15: linear cost), judged by counts. */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../ports/journal.js';
import { hookRan } from './run-hooks.js';

describe('hookRan at scale', () => {
  /** A journal of a hook pair per node, its entries counting how often they are read. */
  function journalOf(nodes: number): { entries: JournalEntry[]; reads: () => number } {
    let reads = 0;
    const entries: JournalEntry[] = [];
    for (let i = 0; i < nodes; i++) {
      for (const hook of ['before-drain', 'after-uncordon']) {
        const entry = {
          at: 0,
          runId: 'r1',
          type: 'note',
          node: `n${i}`,
          message: `hook ${hook}`,
          data: { hook, ok: true },
        } as JournalEntry;
        entries.push(
          new Proxy(entry, {
            get(target, key, receiver) {
              if (key === 'type') reads += 1;
              return Reflect.get(target, key, receiver) as unknown;
            },
          }),
        );
      }
    }
    return { entries, reads: () => reads };
  }

  it('answers from an index kept with the journal: entries read once, at 4x the nodes 4x the reads', () => {
    const reads: number[] = [];
    for (const nodes of [50, 200]) {
      const { entries, reads: count } = journalOf(nodes);
      // The engine asks per node after each step; the journal grows between asks.
      for (let i = 0; i < nodes; i++) {
        expect(hookRan(entries, 'before-drain', `n${i}`)).toBe(true);
        expect(hookRan(entries, 'after-uncordon', `n${i}`, true)).toBe(true);
      }
      expect(hookRan(entries, 'before-drain', 'absent')).toBe(false);
      expect(hookRan(entries, 'after-run')).toBe(false);
      expect(hookRan(entries, 'after-uncordon')).toBe(true);
      reads.push(count());
    }
    const [small, large] = reads as [number, number];
    expect(small).toBe(100);
    expect(large).toBe(400);
  });

  it('sees entries appended after an earlier ask, and ok only with ok: true', () => {
    const entries: JournalEntry[] = [];
    expect(hookRan(entries, 'before-drain', 'a')).toBe(false);
    entries.push({
      at: 0,
      runId: 'r1',
      type: 'note',
      node: 'a',
      message: 'hook before-drain',
      data: { hook: 'before-drain', ok: false },
    } as JournalEntry);
    expect(hookRan(entries, 'before-drain', 'a')).toBe(true);
    expect(hookRan(entries, 'before-drain', 'a', true)).toBe(false);
    expect(hookRan(entries, 'before-drain', 'b')).toBe(false);
    expect(hookRan(entries, 'before-drain')).toBe(true);
  });
});
