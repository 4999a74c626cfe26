import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlJournal } from './jsonl-journal.js';

const entry = { type: 'note' as const, at: 1, runId: 'r' };

/** A real other process that stays alive until killed: its pid is the lock's owner. */
function otherProcess() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

describe('the journal file lock', () => {
  it('is taken at the first append (pid + nonce) and released on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-lock-'));
    const journal = new JsonlJournal(join(dir, 'j.jsonl'));
    await journal.append(entry);
    const owner = JSON.parse(readFileSync(join(dir, 'j.jsonl.lock'), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    expect(owner.nonce).toMatch(/^[0-9a-f]{12}$/);
    await journal.close();
    expect(existsSync(join(dir, 'j.jsonl.lock'))).toBe(false);
  });

  it('a live other process holding it: refused, nothing appended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-lock-'));
    const other = otherProcess();
    try {
      writeFileSync(
        join(dir, 'j.jsonl.lock'),
        JSON.stringify({ host: hostname(), pid: other.pid, nonce: 'abc', at: 'then' }),
      );
      const journal = new JsonlJournal(join(dir, 'j.jsonl'));
      await expect(journal.append(entry)).rejects.toMatchObject({
        code: 'JOURNAL_LOCKED',
        category: 'refused',
      });
      expect(await journal.readAll()).toEqual([]);
    } finally {
      other.stop();
    }
  });

  it('a dead process holding it (a crash): stale, taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-lock-'));
    const other = otherProcess();
    other.stop();
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(
      join(dir, 'j.jsonl.lock'),
      JSON.stringify({ host: hostname(), pid: other.pid, nonce: 'abc', at: 'then' }),
    );
    const journal = new JsonlJournal(join(dir, 'j.jsonl'));
    await journal.append(entry);
    expect(journal.lock.tookOverFrom).toMatchObject({ pid: other.pid });
    await journal.close();
  });

  it('another host: refused (its pid cannot be checked from here)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-lock-'));
    writeFileSync(
      join(dir, 'j.jsonl.lock'),
      JSON.stringify({ host: 'elsewhere', pid: 1, nonce: 'abc', at: 'then' }),
    );
    await expect(new JsonlJournal(join(dir, 'j.jsonl')).append(entry)).rejects.toMatchObject({
      code: 'JOURNAL_LOCKED',
    });
  });
});
