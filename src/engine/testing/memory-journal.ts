/** In-memory JournalStore for engine tests (the engine may not import adapters). */
import type { JournalEntry, JournalStore } from '../../ports/journal.js';

export class MemoryJournalForTests implements JournalStore {
  entries: JournalEntry[] = [];
  async append(entry: JournalEntry): Promise<void> {
    this.entries.push(structuredClone(entry));
  }
  async readAll(): Promise<JournalEntry[]> {
    return structuredClone(this.entries);
  }
}
