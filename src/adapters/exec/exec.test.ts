import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../core/redact.js';
import { exec, execChecked } from './exec.js';

const node = process.execPath;

describe('exec', () => {
  it('passes argv without a shell', async () => {
    const r = await exec({
      file: node,
      args: ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '$HOME', 'a b;c'],
      timeoutMs: 10_000,
    });
    expect(JSON.parse(r.stdout)).toEqual(['$HOME', 'a b;c']);
    expect(r.exitCode).toBe(0);
  });

  it('redacts secrets in output and in error messages', async () => {
    const redactor = new Redactor();
    redactor.add('top-secret-value');
    const r = await exec({
      file: node,
      args: ['-e', 'console.log(process.env.S); console.error(process.env.S)'],
      env: { S: 'top-secret-value' },
      timeoutMs: 10_000,
      redactor,
    });
    expect(r.stdout).not.toContain('top-secret-value');
    expect(r.stderr).not.toContain('top-secret-value');
    await expect(
      execChecked({
        file: node,
        args: ['-e', 'console.error("bad " + process.env.S); process.exit(3)'],
        env: { S: 'top-secret-value' },
        timeoutMs: 10_000,
        redactor,
      }),
    ).rejects.toThrow(/exited 3: bad \[REDACTED\]/);
  });

  it('passes output on in whole lines, so a secret split across two writes is still redacted', async () => {
    const redactor = new Redactor();
    redactor.add('top-secret-value');
    const seen: string[] = [];
    const r = await exec({
      file: node,
      // Two writes 50 ms apart arrive as two chunks, the secret cut between them; then a last
      // line without a newline, and a character cut between its UTF-8 bytes.
      args: [
        '-e',
        `process.stdout.write('one top-sec');
         setTimeout(() => { process.stdout.write('ret-value two\\nthree '); process.stdout.write(Buffer.from([0xc3])); }, 50);
         setTimeout(() => process.stdout.write(Buffer.from([0xa9])), 100);`,
      ],
      timeoutMs: 10_000,
      redactor,
      onOutput: (stream, chunk) => seen.push(chunk),
    });
    expect(seen).toEqual(['one [REDACTED] two\n', 'three é']);
    expect(r.stdout).toBe('one [REDACTED] two\nthree é');
  });

  it('feeds stdin', async () => {
    const r = await exec({
      file: node,
      args: ['-e', 'process.stdin.pipe(process.stdout)'],
      input: 'hello',
      timeoutMs: 10_000,
    });
    expect(r.stdout).toBe('hello');
  });

  it('times out', async () => {
    await expect(
      exec({ file: node, args: ['-e', 'setTimeout(()=>{}, 60000)'], timeoutMs: 200 }),
    ).rejects.toMatchObject({ code: 'EXEC_TIMEOUT' });
  });

  it('a timeout kills the whole process group: a grandchild the script started dies too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exec-group-'));
    const pidFile = join(dir, 'grandchild.pid');
    // A wrapper script that starts a long grandchild (like terraform starting its providers).
    const script = `sleep 30 & echo $! > '${pidFile}'; wait`;
    await expect(
      exec({ file: '/bin/sh', args: ['-c', script], timeoutMs: 300 }),
    ).rejects.toMatchObject({ code: 'EXEC_TIMEOUT' });
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(pid).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    // A real process dies in real time: poll briefly for the kill to land.
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive()).toBe(false);
  }, 10_000);

  it('aborts', async () => {
    const controller = new AbortController();
    const p = exec({
      file: node,
      args: ['-e', 'setTimeout(()=>{}, 60000)'],
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(p).rejects.toMatchObject({ code: 'EXEC_ABORTED', category: 'aborted' });
  });

  it('reports a missing program clearly', async () => {
    await expect(
      exec({ file: 'drover-no-such-program', args: [], timeoutMs: 1000 }),
    ).rejects.toMatchObject({ code: 'EXEC_NOT_FOUND' });
  });
});
