/**
 * Operator hooks on the twin (scripted by the scenario's `hooks:`): a failing before-run hook
 * stops the run before anything is cordoned and the after-run hook still runs; a per-node hook
 * failing mid-run stops the run there, the node is put back and its after-uncordon hook runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/adapters/simulated/index.js';
import { crashAndResume, scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

type Hooks = Scenario['hooks'];
type HookFails = NonNullable<Hooks[number]['fails']>;
const hook = (point: Hooks[number]['point'], name: string, fails?: Partial<HookFails>) => ({
  point,
  command: [name],
  durationSeconds: 2,
  timeoutSeconds: 300,
  output: `${name} ok`,
  ...(fails
    ? { fails: { exitCode: 1, hangs: false, output: '', times: 'always' as const, ...fails } }
    : {}),
});

interface AuditLine {
  operation: string;
  node?: string;
  inputs: Record<string, unknown>;
}

function auditOperations(file: string): AuditLine[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditLine);
}

describe('run hooks: before-run / after-run', () => {
  it('a failing before-run hook fails the run with its output, nothing is cordoned, the after-run hook still runs', async () => {
    const file = scenarioFile(dir, 'before-run-fails', (s) => {
      s.hooks = [
        hook('before-run', 'announce-start', {
          exitCode: 2,
          output: 'change CHG-1234 is not approved',
          times: 'always',
        }),
        hook('after-run', 'announce-end'),
        hook('before-drain', 'node-start'),
      ];
    });
    const auditFile = join(dir, 'before-run-fails.audit.jsonl');
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file, auditFile });
    expect(exitCode).toBe(1);
    expect(report.outcome).toBe('failed');
    expect(report.failure?.code).toBe('HOOK_FAILED');
    expect(report.failure?.message).toContain('announce-start exited 2');
    expect(report.failure?.message).toContain('change CHG-1234 is not approved');
    expect(report.notes).toContain('hook after-run succeeded: announce-end exited 0 after 2s');
    // Nothing was asked of the cluster's nodes: no cordon, no node step, no per-node hook.
    const operations = auditOperations(auditFile).map((r) => r.operation);
    expect(operations).toEqual(['hooks.before-run', 'hooks.after-run']);
    expect(report.nodes.every((n) => n.steps.length === 0 && !n.leftCordoned)).toBe(true);
    expect(report.violations).toEqual([]);
  });

  it('every hook that ran is in the report; a passing run stays succeeded', async () => {
    const file = scenarioFile(dir, 'hooks-pass', (s) => {
      s.hooks = [
        hook('before-run', 'announce-start'),
        hook('after-run', 'announce-end'),
        hook('before-drain', 'node-start'),
        hook('after-uncordon', 'node-end'),
      ];
    });
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file });
    expect(exitCode).toBe(0);
    expect(report.violations).toEqual([]);
    const notes = report.notes.join('\n');
    expect(notes).toContain('hook before-run succeeded');
    expect(notes).toContain('hook after-run succeeded');
    // One pair per node: before its drain and after its uncordon.
    for (const node of report.nodes) {
      expect(notes).toContain(`hook before-drain of ${node.name} succeeded`);
      expect(notes).toContain(`hook after-uncordon of ${node.name} succeeded`);
    }
  });

  it('a failing after-run hook turns a succeeded run into a failure (never a silent pass)', async () => {
    const file = scenarioFile(dir, 'after-run-fails', (s) => {
      s.hooks = [
        hook('after-run', 'announce-end', { exitCode: 7, output: 'webhook 500', times: 'always' }),
      ];
    });
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file });
    expect(exitCode).toBe(1);
    expect(report.failure).toMatchObject({ code: 'HOOK_FAILED', stepId: 'run' });
    expect(report.failure?.message).toContain('webhook 500');
    expect(report.nodes.every((n) => n.outcome === 'succeeded')).toBe(true);
  });
});

describe('per-node hooks: before-drain / after-uncordon', () => {
  it('a before-drain hook failing on k8s-work-5: the run stops there, the node is put back, its after-uncordon hook runs', async () => {
    const file = scenarioFile(dir, 'before-drain-fails', (s) => {
      s.hooks = [
        hook('before-drain', 'node-start', {
          node: 'k8s-work-5',
          exitCode: 1,
          output: 'cannot move the backup job off k8s-work-5',
          times: 'always',
        }),
        hook('after-uncordon', 'node-end'),
        hook('after-run', 'announce-end'),
      ];
    });
    const auditFile = join(dir, 'before-drain-fails.audit.jsonl');
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file, auditFile });
    expect(exitCode).toBe(1);
    expect(report.violations).toEqual([]);
    expect(report.failure).toMatchObject({
      code: 'HOOK_FAILED',
      node: 'k8s-work-5',
      stepId: 'k8s-work-5/drain',
    });
    expect(report.failure?.message).toContain('cannot move the backup job off k8s-work-5');
    // Nodes before it finished, with their hooks; it was put back untouched (never drained).
    expect(report.nodes.find((n) => n.name === 'k8s-ctrl-1')?.outcome).toBe('succeeded');
    const work5 = report.nodes.find((n) => n.name === 'k8s-work-5');
    expect(work5?.leftCordoned).toBe(false);
    expect(work5?.steps.map((s) => s.name)).not.toContain('drain');
    const work5Audit = auditOperations(auditFile).filter((r) => r.node === 'k8s-work-5');
    const onWork5 = work5Audit.map((r) => r.operation);
    // Cordoned (the hook runs right before the drain), then uncordoned: no pod listed or evicted.
    expect(onWork5).toContain('kubernetes.cordon');
    expect(onWork5).toContain('hooks.before-drain');
    expect(onWork5).not.toContain('kubernetes.listPodsOnNode');
    expect(onWork5).not.toContain('kubernetes.evictPod');
    // Its after-uncordon hook runs after the cleanup put it back, and is told so.
    expect(onWork5.slice(-2)).toEqual(['kubernetes.uncordon', 'hooks.after-uncordon']);
    expect(work5Audit.at(-1)?.inputs).toEqual({ node: 'k8s-work-5', outcome: 'restored' });
    const notes = report.notes.join('\n');
    expect(notes).toContain('k8s-work-5 put back in service');
    expect(notes).toContain('hook after-uncordon of k8s-work-5 succeeded');
    expect(notes).toContain('hook after-run succeeded');
  });

  it('an after-uncordon hook failing on a node fails the run at that node', async () => {
    const file = scenarioFile(dir, 'after-uncordon-fails', (s) => {
      s.hooks = [
        hook('after-uncordon', 'node-end', {
          node: 'k8s-ctrl-2',
          exitCode: 3,
          output: 'monitoring did not take the node back',
          times: 'always',
        }),
      ];
    });
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file });
    expect(exitCode).toBe(1);
    expect(report.violations).toEqual([]);
    expect(report.failure).toMatchObject({
      code: 'HOOK_FAILED',
      node: 'k8s-ctrl-2',
      stepId: 'k8s-ctrl-2/uncordon',
    });
    expect(report.failure?.message).toContain('monitoring did not take the node back');
    expect(report.nodes.find((n) => n.name === 'k8s-ctrl-3')?.outcome).toBe('not-started');
  });
});

describe('a hook that never exits', () => {
  it('is killed at its timeout and fails the run (no exit status is not a pass)', async () => {
    const file = scenarioFile(dir, 'before-drain-hangs', (s) => {
      s.hooks = [
        {
          ...hook('before-drain', 'node-start', {
            node: 'k8s-ctrl-1',
            exitCode: 1,
            hangs: true,
            output: 'waiting for the backup lock',
            times: 'always',
          }),
          timeoutSeconds: 120,
        },
      ];
    });
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file });
    expect(exitCode).toBe(1);
    expect(report.violations).toEqual([]);
    expect(report.failure).toMatchObject({ code: 'HOOK_FAILED', stepId: 'k8s-ctrl-1/drain' });
    expect(report.failure?.message).toContain('timed out after 120 s');
    expect(report.failure?.message).toContain('waiting for the backup lock');
    expect(report.nodes.find((n) => n.name === 'k8s-ctrl-1')?.leftCordoned).toBe(false);
  });
});

describe('hooks across a crash and --resume', () => {
  it('the resumed run owes and runs the after hooks: after-run at its end, after-uncordon of the node in flight', async () => {
    const file = scenarioFile(dir, 'hooks-crash-resume', (s) => {
      s.hooks = [
        hook('before-run', 'announce-start'),
        hook('after-run', 'announce-end'),
        hook('before-drain', 'node-start'),
        hook('after-uncordon', 'node-end'),
      ];
    });
    // Crash inside k8s-ctrl-1's cycle, after its before-drain hook ran.
    const run = await crashAndResume({ scenarioFile: file, crashAfterSteps: 20 });
    expect(run.crashed).toBe(true);
    const report = run.resumed!.report;
    expect(run.resumed!.exitCode).toBe(0);
    expect(report.violations).toEqual([]);
    const notes = report.notes;
    // Each process ran before-run; the last one ran after-run, once.
    expect(notes.filter((n) => n.startsWith('hook before-run succeeded'))).toHaveLength(2);
    expect(notes.filter((n) => n.startsWith('hook after-run succeeded'))).toHaveLength(1);
    expect(notes.at(-1)).toMatch(/^hook after-run succeeded/);
    // The node in flight at the crash: its before-drain ran in the first process, its
    // after-uncordon in the resumed one.
    const resumedAt = notes.findLastIndex((n) => n.startsWith('hook before-run succeeded'));
    const inFlight = report.nodes.filter(
      (node) =>
        notes.findIndex((n) => n.startsWith(`hook before-drain of ${node.name} `)) < resumedAt &&
        notes.findIndex((n) => n.startsWith(`hook after-uncordon of ${node.name} `)) > resumedAt,
    );
    expect(inFlight.map((n) => n.name)).toEqual(['k8s-ctrl-1']);
    // Every node got exactly one after-uncordon, after its (last) before-drain.
    for (const node of report.nodes) {
      const afters = notes.filter((n) => n.startsWith(`hook after-uncordon of ${node.name} `));
      expect(afters, node.name).toHaveLength(1);
      const lastBefore = notes.findLastIndex((n) =>
        n.startsWith(`hook before-drain of ${node.name} `),
      );
      expect(notes.indexOf(afters[0]!)).toBeGreaterThan(lastBefore);
    }
  });
});
