import { mkdtemp, readFile, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDroverError } from '../../core/errors.js';
import type { JournalEntry } from '../../ports/journal.js';
import { JsonlJournal, parseJournal } from './jsonl-journal.js';

const entry = (i: number): JournalEntry => ({
  type: 'step-started',
  at: i,
  runId: 'r',
  stepId: `s${i}`,
});

async function tempFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'drover-journal-')), 'journal.jsonl');
}

describe('JsonlJournal', () => {
  it('appends one line per entry and reads them back in order', async () => {
    const file = await tempFile();
    const journal = new JsonlJournal(file);
    await Promise.all([1, 2, 3, 4, 5].map((i) => journal.append(entry(i))));
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(5);
    // A second instance (a new process) sees every entry: they were on disk when append resolved.
    expect((await new JsonlJournal(file).readAll()).map((e) => e.stepId)).toEqual([
      's1',
      's2',
      's3',
      's4',
      's5',
    ]);
    await journal.close();
  });

  it('a missing file is an empty journal', async () => {
    expect(await new JsonlJournal(await tempFile()).readAll()).toEqual([]);
  });

  it('ignores a torn last line and fences it off before the next append', async () => {
    const file = await tempFile();
    await writeFile(file, `${JSON.stringify(entry(1))}\n{"type":"step-fin`);
    const journal = new JsonlJournal(file);
    expect((await journal.readAll()).map((e) => e.stepId)).toEqual(['s1']);
    await journal.append(entry(2));
    const text = await readFile(file, 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(3);
    expect((await journal.readAll()).map((e) => e.stepId)).toEqual(['s1', 's2']);
    await journal.close();
  });

  it('a damaged line in the middle is corruption, not silently skipped', async () => {
    const file = await tempFile();
    await writeFile(
      file,
      `${JSON.stringify(entry(1))}\n{"not":"an entry"}\n${JSON.stringify(entry(2))}\n`,
    );
    const error = await new JsonlJournal(file).readAll().catch((e: unknown) => e);
    expect(isDroverError(error) && error.code).toBe('JOURNAL_CORRUPT');
  });

  it('an entry of a known type with a wrong field is corruption, named by line and field (exit 2)', async () => {
    const bad = { ...entry(2), type: 'step-finished', stepId: 'w-1/drain', outcome: 'exploded' };
    const error = (() => {
      try {
        parseJournal(`${JSON.stringify(entry(1))}\n${JSON.stringify(bad)}\n`, 'j.jsonl');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ code: 'JOURNAL_CORRUPT', category: 'input' });
    expect((error as Error).message).toMatch(/^j\.jsonl:2: .*outcome/);
  });

  it('a step entry of an action this version does not know is corruption, named by line', () => {
    const foreign = {
      ...entry(2),
      type: 'step-finished',
      stepId: 'w-1/reboot',
      action: 'reboot',
      outcome: 'succeeded',
    };
    expect(() =>
      parseJournal(`${JSON.stringify(entry(1))}\n${JSON.stringify(foreign)}\n`, 'j.jsonl'),
    ).toThrow(/^j\.jsonl:2: not a journal entry \(action: /);
  });

  it('an entry of a type Drover never writes is corruption, not skipped', () => {
    const foreign = { type: 'vm-destroyed', at: 1, runId: 'r' };
    expect(() => parseJournal(`${JSON.stringify(foreign)}\n`, 'j.jsonl')).toThrow(
      /j\.jsonl:1: .*type/,
    );
  });

  it('parseJournal tolerates blank lines and a trailing newline', async () => {
    const text = `\n${JSON.stringify(entry(1))}\n\n${JSON.stringify(entry(2))}\n`;
    expect(parseJournal(text, 'x')).toHaveLength(2);
  });

  it('an append that cannot be made durable rejects (the run must not act unrecorded)', async () => {
    const journal = new JsonlJournal('/proc/definitely/not/writable/journal.jsonl');
    const error = await journal.append(entry(1)).catch((e: unknown) => e);
    expect(isDroverError(error) && error.code).toBe('JOURNAL_WRITE_FAILED');
  });

  it('keeps appending after another writer left a complete file', async () => {
    const file = await tempFile();
    await appendFile(file, `${JSON.stringify(entry(1))}\n`);
    const journal = new JsonlJournal(file);
    await journal.append(entry(2));
    expect(await journal.readAll()).toHaveLength(2);
    await journal.close();
  });
});
