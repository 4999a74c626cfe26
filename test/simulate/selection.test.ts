/**
 * Node selection and canaries end to end (issue 13, "When and what"): the real engine against
 * the simulated cluster, whose invariant checker watches every event. A world file keeps the
 * simulated cluster between runs, as a real cluster outlives each `drover upgrade`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { DroverError } from '../../src/core/errors.js';
import { reportToMarkdown } from '../../src/core/report-markdown.js';
import type { UpgradeReport } from '../../src/core/report.js';
import { JsonlJournal } from '../../src/adapters/journal/index.js';
import { journalStatus } from '../../src/app/status/journal-status.js';
import { crashAndResume, runCli, simulateInProcess, tempDir } from './helpers.js';

// ajv 6 (here through eslint) reads the draft-07 schema of schema/report.schema.json.
const validateReport = new Ajv({ allErrors: true }).compile(
  JSON.parse(
    readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8'),
  ) as object,
);
const WORKERS = Array.from({ length: 12 }, (_, i) => `k8s-work-${i + 1}`);
const CONTROL_PLANE = ['k8s-ctrl-1', 'k8s-ctrl-2', 'k8s-ctrl-3'];

interface AuditLine {
  operation: string;
  stepId?: string;
  node?: string;
}
const auditOf = (file: string): AuditLine[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditLine);
/** Nodes some audited port operation was about (by its step's node). */
const touchedNodes = (audit: AuditLine[]) =>
  [...new Set(audit.flatMap((a) => (a.node ? [a.node] : [])))].sort();
const byName = (report: UpgradeReport, name: string) => report.nodes.find((n) => n.name === name)!;

describe('a canary of 2, then the full run', () => {
  it('cattle: the canary replaces two workers and stops (exit 0); the full run skips them and never replaces them again', async () => {
    const dir = tempDir();
    const files = { worldFile: join(dir, 'world.json'), journalFile: join(dir, 'journal.jsonl') };

    const canary = await simulateInProcess({ ...files, selection: { canary: 2 } });
    expect(canary.exitCode).toBe(0);
    expect(canary.report.outcome).toBe('succeeded');
    expect(canary.report.violations).toEqual([]);
    expect(canary.report.nodes.map((n) => [n.name, n.outcome, n.vmReplacements])).toEqual([
      ['k8s-work-1', 'succeeded', 1],
      ['k8s-work-2', 'succeeded', 1],
    ]);
    // The canary's verdict: post checks and custom gates over the whole cluster, then a
    // validation that counts every node but expects only the canary at the target.
    expect(canary.report.clusterSteps.map((s) => [s.id, s.outcome])).toContainEqual([
      'cluster/post-checks',
      'succeeded',
    ]);
    expect(canary.report.mixedVersions).toEqual({
      target: '1.11.0',
      atTarget: ['k8s-work-1', 'k8s-work-2'],
      notAtTarget: [...CONTROL_PLANE, ...WORKERS.slice(2)],
      source: 'live',
    });
    expect(canary.report.notes.join('\n')).toMatch(
      /Canary passed: k8s-work-1, k8s-work-2 upgraded to Talos 1\.11\.0.*Next: the same command without --canary 2/,
    );
    // The mixedVersions field is part of the report's published schema.
    expect(validateReport(canary.report), JSON.stringify(validateReport.errors)).toBe(true);
    expect(reportToMarkdown(canary.report)).toMatch(
      /\*\*Mixed versions:\*\* the cluster is left at mixed Talos versions: 2 of 15 nodes run 1\.11\.0/,
    );

    // `drover status` on the journal: a canary, and the cluster left at mixed versions.
    const status = journalStatus(await new JsonlJournal(files.journalFile).readAll())!;
    expect(status.selection).toMatchObject({ canary: true, nodes: ['k8s-work-1', 'k8s-work-2'] });
    expect(status.mixedVersions?.atTarget).toEqual(['k8s-work-1', 'k8s-work-2']);

    const full = await simulateInProcess({ ...files });
    expect(full.exitCode).toBe(0);
    expect(full.report.outcome).toBe('succeeded');
    // Zero violations, including invariant exactly-once-after-crash counted over both runs' journal against the world.
    expect(full.report.violations).toEqual([]);
    for (const name of ['k8s-work-1', 'k8s-work-2']) {
      expect(byName(full.report, name).outcome).toBe('already-at-target');
      expect(byName(full.report, name).vmReplacements).toBe(0);
    }
    for (const name of [...CONTROL_PLANE, ...WORKERS.slice(2)])
      expect([name, byName(full.report, name).vmReplacements]).toEqual([name, 1]);
    expect(full.report.mixedVersions).toBeNull();
    expect(validateReport(full.report), JSON.stringify(validateReport.errors)).toBe(true);
    expect(full.report.resumed).toBe(false);
    expect(reportToMarkdown(full.report)).not.toMatch(/Mixed versions/);
  });

  it('pets: the same, in place', async () => {
    const dir = tempDir();
    const files = { worldFile: join(dir, 'world.json'), journalFile: join(dir, 'journal.jsonl') };
    const canary = await simulateInProcess({ ...files, kind: 'pets', selection: { canary: 2 } });
    expect([canary.exitCode, canary.report.violations]).toEqual([0, []]);
    expect(canary.report.nodes.map((n) => n.name)).toEqual(['k8s-work-1', 'k8s-work-2']);
    const full = await simulateInProcess({ ...files, kind: 'pets' });
    expect([full.exitCode, full.report.violations]).toEqual([0, []]);
    expect(byName(full.report, 'k8s-work-1').outcome).toBe('already-at-target');
    expect(byName(full.report, 'k8s-work-3').outcome).toBe('succeeded');
    expect(full.report.mixedVersions).toBeNull();
  });
});

describe('selected runs touch only what they select, and keep every invariant', () => {
  it('--phase templates: rebuilds the templates and touches no node', async () => {
    const dir = tempDir();
    const auditFile = join(dir, 'audit.jsonl');
    const run = await simulateInProcess({ auditFile, selection: { phases: ['templates'] } });
    expect([run.exitCode, run.report.violations]).toEqual([0, []]);
    expect(run.report.nodes).toEqual([]);
    expect(run.report.clusterSteps.filter((s) => s.name === 'rebuild-template')).toHaveLength(6);
    const audit = auditOf(auditFile);
    expect(touchedNodes(audit)).toEqual([]);
    for (const op of ['kubernetes.cordon', 'infrastructure.apply', 'talos.etcdLeave'])
      expect(
        audit.filter((a) => a.operation === op && a.stepId?.startsWith('template/') !== true),
      ).toEqual([]);
    expect(run.report.mixedVersions).toBeNull();
  });

  it('--role controlplane: the workers are left alone; mixed versions reported', async () => {
    const dir = tempDir();
    const auditFile = join(dir, 'audit.jsonl');
    const run = await simulateInProcess({
      auditFile,
      kind: 'pets',
      selection: { role: 'controlplane' },
    });
    expect([run.exitCode, run.report.violations]).toEqual([0, []]);
    expect(run.report.nodes.map((n) => [n.name, n.outcome])).toEqual(
      CONTROL_PLANE.map((n) => [n, 'succeeded']),
    );
    expect(touchedNodes(auditOf(auditFile))).toEqual(CONTROL_PLANE);
    expect(run.report.mixedVersions?.notAtTarget).toEqual(WORKERS);
  });

  it('--role worker --limit 3: the first three workers', async () => {
    const dir = tempDir();
    const auditFile = join(dir, 'audit.jsonl');
    const run = await simulateInProcess({
      auditFile,
      selection: { role: 'worker', limit: 3 },
    });
    expect([run.exitCode, run.report.violations]).toEqual([0, []]);
    expect(run.report.nodes.map((n) => [n.name, n.vmReplacements])).toEqual([
      ['k8s-work-1', 1],
      ['k8s-work-2', 1],
      ['k8s-work-3', 1],
    ]);
    expect(touchedNodes(auditOf(auditFile))).toEqual(['k8s-work-1', 'k8s-work-2', 'k8s-work-3']);
    expect(run.report.mixedVersions?.atTarget).toEqual(['k8s-work-1', 'k8s-work-2', 'k8s-work-3']);
  });

  it('--nodes with a name not in the cluster is exit 2 naming it; kubernetes refuses a selection', async () => {
    const unknown = await simulateInProcess({
      selection: { nodes: ['k8s-work-1', 'k8s-work-77'] },
    }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(DroverError);
    expect((unknown as DroverError).message).toMatch(/not in the config: k8s-work-77/);
    expect((unknown as DroverError).category).toBe('input');
    const kube = await simulateInProcess({ kind: 'kubernetes', selection: { canary: 2 } }).catch(
      (e: unknown) => e,
    );
    expect((kube as DroverError).code).toBe('SELECTION_NOT_FOR_KIND');
    expect((kube as DroverError).category).toBe('usage');
  });
});

describe('drover simulate with a selection, as a process', () => {
  let cli: string;
  beforeAll(async () => {
    // @ts-expect-error: a plain .mjs build script without type declarations
    const { buildCli } = (await import('./build-cli.mjs')) as {
      buildCli: (out: string) => Promise<string>;
    };
    cli = await buildCli(tempDir());
  }, 120_000);

  it('exit codes: 0 for a canary, 2 for a bad flag, an unknown node, or a selection on kubernetes', () => {
    const dir = tempDir();
    const canary = runCli(cli, ['--kind', 'pets', '--canary', '1', '--json'], dir);
    expect(canary.status).toBe(0);
    const report = JSON.parse(canary.stdout) as UpgradeReport;
    expect(report.nodes.map((n) => n.name)).toEqual(['k8s-work-1']);
    expect(report.mixedVersions?.atTarget).toEqual(['k8s-work-1']);
    expect(canary.stderr).toMatch(/Mixed versions/);
    for (const [args, text] of [
      [['--canary', 'two'], /SELECTION_INVALID.*--canary two/],
      [['--nodes', 'k8s-work-1,ghost'], /SELECTION_UNKNOWN_NODES.*ghost/],
      [['--kind', 'kubernetes', '--phase', 'workers'], /SELECTION_NOT_FOR_KIND/],
      [
        ['--phase', 'templates', '--role', 'controlplane', '--kind', 'pets'],
        /pets upgrade has no templates/,
      ],
    ] as const) {
      const r = runCli(cli, [...args], dir);
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toMatch(text);
    }
  });
});

describe('selected runs under chaos: they may stop, never unsafely', () => {
  const SELECTIONS = [
    { canary: 1 },
    { role: 'controlplane' as const },
    { nodes: ['cp-2', 'worker-3'] },
  ];
  it.each(['cattle', 'pets'] as const)(
    '%s: 6 seeds x 3 selections on the small cluster, zero violations',
    async (kind) => {
      const outcomes: string[] = [];
      for (let seed = 1; seed <= 6; seed++)
        for (const selection of SELECTIONS) {
          const run = await simulateInProcess({
            scenarioFile: 'examples/small-cluster.yaml',
            kind,
            chaosSeed: seed,
            selection,
          }).catch((error: unknown) => {
            // A stop is a DroverError; anything else is a bug.
            expect(error).toBeInstanceOf(DroverError);
            return undefined;
          });
          if (run === undefined) continue;
          expect([seed, selection, run.report.violations]).toEqual([seed, selection, []]);
          // Only the selected nodes were ever taken on.
          const kept = run.report.nodes.map((n) => n.name);
          if ('role' in selection) expect(kept).toEqual(['cp-1', 'cp-2', 'cp-3']);
          if ('nodes' in selection) expect(kept).toEqual(['cp-2', 'worker-3']);
          if ('canary' in selection) expect(kept).toEqual(['worker-1']);
          outcomes.push(`${run.exitCode}`);
        }
      expect(outcomes.length).toBeGreaterThan(0);
    },
  );
});

describe('--limit and --canary move on: nodes already at the target are passed over', () => {
  it('two runs of --role worker --limit 3 upgrade six workers, each once; a second canary takes the next two', async () => {
    const dir = tempDir();
    const files = { worldFile: join(dir, 'world.json'), journalFile: join(dir, 'journal.jsonl') };
    const selection = { role: 'worker' as const, limit: 3 };
    const first = await simulateInProcess({ ...files, kind: 'pets', selection });
    const second = await simulateInProcess({ ...files, kind: 'pets', selection });
    const canary = await simulateInProcess({ ...files, kind: 'pets', selection: { canary: 2 } });
    for (const run of [first, second, canary])
      expect([run.exitCode, run.report.violations]).toEqual([0, []]);
    expect(first.report.nodes.map((n) => n.name)).toEqual(WORKERS.slice(0, 3));
    expect(second.report.nodes.map((n) => [n.name, n.outcome])).toEqual(
      WORKERS.slice(3, 6).map((n) => [n, 'succeeded']),
    );
    expect(canary.report.nodes.map((n) => n.name)).toEqual(WORKERS.slice(6, 8));
    expect(canary.report.mixedVersions?.atTarget).toEqual(WORKERS.slice(0, 8));
  });

  it('a crashed --limit run resumes with the nodes it started with, each replaced once', async () => {
    const result = await crashAndResume({
      selection: { role: 'worker', limit: 2 },
      crashAfterSteps: 30,
      advanceSeconds: 60,
    });
    expect(result.crashed).toBe(true);
    const report = result.resumed!.report;
    expect([result.resumed!.exitCode, report.violations]).toEqual([0, []]);
    expect(report.nodes.map((n) => [n.name, n.vmReplacements])).toEqual([
      ['k8s-work-1', 1],
      ['k8s-work-2', 1],
    ]);
  });
});
