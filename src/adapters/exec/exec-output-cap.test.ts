/**
 * The cap on what exec keeps of a child's output, against real children: a stream Drover reads
 * past the cap fails loudly (never parsed from a cut copy); a stream only shown keeps its tail,
 * redacted, starting at a line break so no secret is kept in part.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../core/redact.js';
import { exec } from './exec.js';
import { CUT_MARKER, MAX_READ_OUTPUT_BYTES, SHOWN_OUTPUT_TAIL_BYTES } from './output-buffer.js';

const node = process.execPath;

/** A node script that writes `bytes` bytes of 'x' lines to a stream, then `end`, then touches `done`. */
function printer(stream: 'stdout' | 'stderr', bytes: number, end: string, done: string): string[] {
  const script = `
    const line = 'x'.repeat(1023) + '\\n';
    const block = line.repeat(1024);
    let left = ${bytes};
    while (left > 0) { const n = Math.min(left, block.length); process.${stream}.write(block.slice(0, n)); left -= n; }
    process.${stream}.write(${JSON.stringify(end)});
    require('node:fs').writeFileSync(${JSON.stringify(done)}, '');`;
  return ['-e', script];
}

describe('exec output cap', () => {
  it.each(['stdout', 'stderr'] as const)(
    'a read %s past the cap is EXEC_OUTPUT_TOO_LARGE, after the child ran to its end',
    async (stream) => {
      const done = join(mkdtempSync(join(tmpdir(), 'exec-cap-')), 'done');
      await expect(
        exec({
          file: node,
          args: printer(stream, MAX_READ_OUTPUT_BYTES, '{}', done),
          timeoutMs: 30_000,
        }),
      ).rejects.toMatchObject({
        code: 'EXEC_OUTPUT_TOO_LARGE',
        category: 'failed',
        details: { stream, exitCode: 0 },
      });
      expect(existsSync(done)).toBe(true);
    },
    30_000,
  );

  it('a read stream exactly at the cap is kept whole', async () => {
    const done = join(mkdtempSync(join(tmpdir(), 'exec-cap-')), 'done');
    const r = await exec({
      file: node,
      args: printer('stdout', MAX_READ_OUTPUT_BYTES - 3, 'end', done),
      timeoutMs: 30_000,
    });
    expect(r.stdoutBytes.length).toBe(MAX_READ_OUTPUT_BYTES);
    expect(r.stdout.slice(-4)).toBe('xend');
  }, 30_000);

  it('a shown stream past its cap keeps its tail, from a line break, redacted', async () => {
    const secret = 'hunter2-secret-ABCDEFGHIJ';
    const redactor = new Redactor();
    redactor.add(secret);
    redactor.add('second-secret-value');
    // The cut falls inside the first secret: only its last ten characters are in the kept tail.
    const after = `\n${'y'.repeat(1000)}\nsecond-secret-value\nthe end\n`;
    const tail = `'w'.repeat(${SHOWN_OUTPUT_TAIL_BYTES - 10 - after.length})`;
    const script = `process.stderr.write('z'.repeat(5 * 1024 * 1024) + ${JSON.stringify(secret + after)} + ${tail})`;
    const r = await exec({
      file: node,
      args: ['-e', script],
      timeoutMs: 30_000,
      redactor,
      shownOnly: ['stderr'],
    });
    expect(r.exitCode).toBe(0);
    expect(r.stderr.startsWith(CUT_MARKER)).toBe(true);
    expect(r.stderr.length).toBeLessThanOrEqual(SHOWN_OUTPUT_TAIL_BYTES + CUT_MARKER.length);
    expect(r.stderr).not.toContain('ABCDEFGHIJ');
    expect(r.stderr).not.toContain('second-secret-value');
    expect(r.stderr).toContain(`\n${'y'.repeat(1000)}\n[REDACTED]\nthe end\n`);
  }, 30_000);
});
