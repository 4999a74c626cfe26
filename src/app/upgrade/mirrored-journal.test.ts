import { describe, expect, it } from 'vitest';
import { MemoryJournal } from '../../adapters/journal/index.js';
import type { JournalEntry, JournalStore } from '../../ports/journal.js';
import { MirroredJournal } from './mirrored-journal.js';

const entry = (stepId: string): JournalEntry => ({ type: 'note', at: 1, runId: 'r', stepId });

describe('MirroredJournal', () => {
  it('writes every entry to both copies', async () => {
    const local = new MemoryJournal();
    const remote = new MemoryJournal();
    const journal = new MirroredJournal(local, remote);
    await journal.append(entry('a'));
    await journal.append(entry('b'));
    expect(await local.readAll()).toEqual([entry('a'), entry('b')]);
    expect(await remote.readAll()).toEqual([entry('a'), entry('b')]);
  });

  it('reads the longer copy: a rebuilt runner without the file resumes from S3', async () => {
    const local = new MemoryJournal();
    const remote = new MemoryJournal();
    await remote.append(entry('a'));
    await remote.append(entry('b'));
    expect(await new MirroredJournal(local, remote).readAll()).toHaveLength(2);
    await local.append(entry('a'));
    await local.append(entry('b'));
    await local.append(entry('c'));
    expect(await new MirroredJournal(local, remote).readAll()).toHaveLength(3);
  });

  it('an entry the remote copy refused is not durable: append fails', async () => {
    const remote: JournalStore = {
      append: async () => {
        throw new Error('S3 down');
      },
      readAll: async () => [],
    };
    await expect(
      new MirroredJournal(new MemoryJournal(), remote).append(entry('a')),
    ).rejects.toThrow('S3 down');
  });
});
