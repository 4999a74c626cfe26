/** A journal kept in memory: for runs that cannot be resumed anyway (a simulation with no --journal). */
import type { JournalEntry, JournalStore } from '../../ports/journal.js';

export class MemoryJournal implements JournalStore {
  readonly entries: JournalEntry[] = [];

  async append(entry: JournalEntry): Promise<void> {
    this.entries.push(structuredClone(entry));
  }

  async readAll(): Promise<JournalEntry[]> {
    return this.entries.map((e) => structuredClone(e));
  }
}
