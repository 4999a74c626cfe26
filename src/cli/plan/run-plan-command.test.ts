import { describe, expect, it } from 'vitest';
import type { Plan } from '../../core/plan.js';
import { runPlanCommand } from './run-plan-command.js';

const CONFIG = new URL('../../../examples/drover.yaml', import.meta.url).pathname;

async function plan(
  kind: string,
  to: string,
  json: boolean,
): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runPlanCommand(
    kind,
    { config: CONFIG, to, json },
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) },
  );
  expect(code).toBe(0);
  return { stdout, stderr };
}

describe('drover plan', () => {
  it('--json prints the plan and its upper bound as one document on stdout, notes on stderr', async () => {
    // 1.10.8 -> 1.11.0 is a minor: the router would choose cattle, which is a note.
    const { stdout, stderr } = await plan('pets', '1.11.0', true);
    const doc = JSON.parse(stdout) as Plan & { upperBoundSeconds: number };
    expect(doc).toMatchObject({ kind: 'pets' });
    expect(Number.isInteger(doc.upperBoundSeconds)).toBe(true);
    expect(stderr).toMatch(/^note: The router would choose cattle for 1\.10\.8 -> 1\.11\.0/m);
  });

  it('prints the upper bound as hours and minutes in text', async () => {
    expect((await plan('cattle', '1.11.0', false)).stdout).toMatch(/\nUpper bound: \d+h \d\dm \(/);
  });

  it('names a bad kind (exit 2) before reading anything', async () => {
    await expect(plan('sheep', '1.11.0', true)).rejects.toMatchObject({ code: 'KIND_INVALID' });
  });
});
