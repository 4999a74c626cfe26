/** Hook commands through the exec chokepoint: argv (no shell), context in env, timeout, redaction. */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../core/redact.js';
import type { HookContext } from '../../ports/hooks.js';
import { CommandHookRunner } from './command-hook-runner.js';
import { OUTPUT_TAIL_CHARS } from './run-command.js';

const node = process.execPath;
const context: HookContext = {
  point: 'before-drain',
  cluster: 'homelab',
  kind: 'cattle',
  from: '1.10.8',
  to: '1.11.0',
  runId: 'run-1',
  node: 'k8s-work-5',
};

const script = (code: string, timeoutSeconds = 10) => ({
  command: [node, '-e', code],
  timeoutSeconds,
});

describe('CommandHookRunner', () => {
  it('passes the context in the environment and argv untouched (no shell)', async () => {
    const runner = new CommandHookRunner(
      {
        'before-drain': [
          {
            command: [
              node,
              '-e',
              'const e = process.env; console.log(JSON.stringify([e.DROVER_HOOK, e.DROVER_CLUSTER, e.DROVER_KIND, e.DROVER_FROM, e.DROVER_TO, e.DROVER_RUN_ID, e.DROVER_NODE, e.DROVER_OUTCOME ?? null, process.argv.slice(1)]))',
              '$HOME; rm -rf /',
            ],
            timeoutSeconds: 10,
          },
        ],
      },
      { redactor: new Redactor() },
    );
    expect(runner.configured('before-drain')).toBe(true);
    expect(runner.configured('after-run')).toBe(false);
    const [result] = await runner.run(context);
    expect(result?.ok).toBe(true);
    expect(JSON.parse(result!.outputTail)).toEqual([
      'before-drain',
      'homelab',
      'cattle',
      '1.10.8',
      '1.11.0',
      'run-1',
      'k8s-work-5',
      null,
      ['$HOME; rm -rf /'],
    ]);
  });

  it('stops at the first failing command and keeps its exit code and output tail, redacted', async () => {
    const redactor = new Redactor();
    redactor.add('hunter2-secret-value');
    const runner = new CommandHookRunner(
      {
        'before-drain': [
          script('console.log("first ok")'),
          script(
            `console.log("x".repeat(${OUTPUT_TAIL_CHARS * 2})); console.error("token hunter2-secret-value rejected"); process.exit(4)`,
          ),
          script('console.log("never runs")'),
        ],
      },
      { redactor },
    );
    const results = await runner.run(context);
    expect(results.map((r) => [r.ok, r.exitCode])).toEqual([
      [true, 0],
      [false, 4],
    ]);
    const failed = results[1]!;
    expect(failed.outputTail.length).toBeLessThanOrEqual(OUTPUT_TAIL_CHARS + 1);
    expect(failed.outputTail).toMatch(/token \[REDACTED\] rejected$/);
    expect(JSON.stringify(results)).not.toContain('hunter2-secret-value');
  });

  it('a command that outlives its timeout fails (no exit status), never passes', async () => {
    const runner = new CommandHookRunner(
      { 'after-run': [script('setTimeout(() => {}, 60_000)', 1)] },
      { redactor: new Redactor() },
    );
    const [result] = await runner.run({ ...context, point: 'after-run', outcome: 'aborted' });
    expect(result).toMatchObject({ ok: false, exitCode: undefined });
    expect(result?.error).toMatch(/timed out after 1 s/);
  });

  it('a program that does not exist fails with a reason', async () => {
    const runner = new CommandHookRunner(
      { 'before-run': [{ command: ['drover-no-such-program'], timeoutSeconds: 5 }] },
      { redactor: new Redactor() },
    );
    const [result] = await runner.run({ ...context, point: 'before-run' });
    expect(result).toMatchObject({ ok: false, exitCode: undefined });
    expect(result?.error).toMatch(/not installed or not on PATH/);
  });
});
