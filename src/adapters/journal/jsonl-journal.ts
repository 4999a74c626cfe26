/**
 * The journal as a local JSONL file: one entry per line, each append fsync'd before it
 * resolves, so a crash loses at most the entry being written. A torn last line (the process
 * died mid-write) is ignored on read and fenced off with a newline before the next append.
 */
import { open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { DroverError, isDroverError } from '../../core/errors.js';
import type { JournalEntry, JournalStore } from '../../ports/journal.js';
import { checkJournalEntry } from './journal-entry-schema.js';
import { JournalFileLock } from './journal-file-lock.js';

export class JsonlJournal implements JournalStore {
  private handle: FileHandle | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Taken before the first append, released on close (see journal-file-lock). */
  readonly lock: JournalFileLock;

  constructor(readonly path: string) {
    this.lock = new JournalFileLock(path);
  }

  append(entry: JournalEntry): Promise<void> {
    const line = `${JSON.stringify(entry)}\n`;
    // Appends are serialized: two lines must never interleave.
    const next = this.queue.then(() => this.write(line));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(line: string): Promise<void> {
    try {
      this.lock.acquire();
      const handle = await this.openForAppend();
      await handle.write(line);
      await handle.sync();
    } catch (error) {
      // Refused (JOURNAL_LOCKED) as it is: another process appends to this journal.
      if (isDroverError(error)) throw error;
      throw new DroverError(
        'failed',
        'JOURNAL_WRITE_FAILED',
        `cannot append to the journal ${this.path}`,
        {
          cause: error,
          hint: 'Check the journal path is writable and the disk is not full; the run stops rather than act unrecorded.',
        },
      );
    }
  }

  private async openForAppend(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    const handle = await open(this.path, 'a+');
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      // A torn line from a crash: end it so the next entry starts on its own line.
      if (last[0] !== 0x0a) {
        await handle.write('\n');
        await handle.sync();
      }
    }
    this.handle = handle;
    return handle;
  }

  async readAll(): Promise<JournalEntry[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new DroverError('input', 'JOURNAL_UNREADABLE', `cannot read the journal ${this.path}`, {
        cause: error,
      });
    }
    return parseJournal(text, this.path);
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle?.close();
    this.handle = undefined;
    this.lock.release();
  }
}

/** Parses JSONL; only the last line may be torn (an interrupted write), any other bad line is corruption. */
export function parseJournal(text: string, source: string): JournalEntry[] {
  const lines = text.split('\n');
  const entries: JournalEntry[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const isLast = lines.slice(index + 1).every((l) => l.trim() === '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      if (isLast) return;
      // A torn line followed by more entries: the fence newline of a later append; skip it too
      // only when it cannot be a complete entry (it does not end with a closing brace).
      if (!line.trimEnd().endsWith('}')) return;
      throw new DroverError(
        'input',
        'JOURNAL_CORRUPT',
        `${source}:${index + 1}: not a journal entry`,
        {
          cause: error,
          hint: 'The journal was edited or damaged; restore it or start a new run without --resume.',
        },
      );
    }
    const checked = checkJournalEntry(parsed);
    if (checked.problem !== undefined) {
      throw new DroverError(
        'input',
        'JOURNAL_CORRUPT',
        `${source}:${index + 1}: not a journal entry (${checked.problem})`,
        {
          hint: 'The journal was edited, damaged or written by another program; restore it, or start a new run without --resume.',
          details: { line: index + 1, problem: checked.problem },
        },
      );
    }
    entries.push(checked.entry);
  });
  return entries;
}
