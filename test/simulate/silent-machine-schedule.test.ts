/**
 * Pets chaos seed 39 and its knowable twin (docs/simulate.md). A worker's machine that stops
 * still reads Ready for node-monitor-grace-period (40s); its Talos API fails at once.
 * - Stopped before the workers are scheduled (knowable): the scheduler counts it out of service,
 *   as the pre-act check does, and takes a batch that fits beside it (the rest of its own
 *   failure domain), not one the pre-act check then holds cordoned until it gives up.
 * - Stopped while the cordons of a batch are under way (not knowable, the seed 39 draw): no
 *   breach is Drover's, and nothing destructive starts while the budget is exceeded.
 * Reference cluster, pets (one host's three workers at once, one domain).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

function cordonOrder(audit: string): string[] {
  return audit
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { operation: string; node?: string; inputs?: { reason?: string } })
    .filter((e) => e.operation === 'kubernetes.cordon' && e.node?.startsWith('k8s-work'))
    .map((e) => e.node ?? '');
}

describe('a worker machine that stops on its own around the scheduling of a batch', () => {
  it('stopped before the batch is picked: the batch fits beside it (odin), no cordon waits', async () => {
    const file = scenarioFile(dir, 'silent-before-schedule', (s) => {
      s.upgrade.kind = 'pets';
      s.upgrade.talos.to = '1.10.9';
      s.faults = [
        {
          type: 'node-down',
          node: 'k8s-work-7',
          // Right after the last control plane node is back: the workers are picked next.
          when: {
            request: 'uncordon',
            node: 'k8s-ctrl-3',
            moment: 'after',
            delaySeconds: 0,
            forSeconds: 300,
          },
        } as never,
      ];
    });
    const audit = join(dir, 'silent-before-schedule.audit.jsonl');
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file, auditFile: audit });
    expect(report.violations).toEqual([]);
    // The first batch is the two odin workers still up: 3 in one domain with k8s-work-7.
    expect(cordonOrder(readFileSync(audit, 'utf8')).slice(0, 2).sort()).toEqual([
      'k8s-work-8',
      'k8s-work-9',
    ]);
    expect(report.failure).toBeNull();
    expect([exitCode, report.outcome]).toEqual([0, 'succeeded']);
  }, 120_000);

  it('stopped while the batch cordons are under way (seed 39): no breach, nothing destructive', async () => {
    const file = scenarioFile(dir, 'silent-during-cordons', (s) => {
      s.upgrade.kind = 'pets';
      s.upgrade.talos.to = '1.10.9';
      // The first eviction of the first worker batch: the batch mates' cordons are in flight.
      s.faults = [
        {
          type: 'node-down',
          node: 'k8s-work-7',
          when: { request: 'evict', moment: 'after', delaySeconds: 0 },
        } as never,
      ];
    });
    const audit = join(dir, 'silent-during-cordons.audit.jsonl');
    const { report } = await simulateInProcess({ scenarioFile: file, auditFile: audit });
    expect(report.violations).toEqual([]);
    expect(cordonOrder(readFileSync(audit, 'utf8')).sort()).toEqual([
      'k8s-work-1',
      'k8s-work-2',
      'k8s-work-3',
    ]);
    // Nothing destructive while k8s-work-7 is down: no worker was upgraded, all put back.
    const upgrades = readFileSync(audit, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"talos.upgrade"') && l.includes('k8s-work'));
    expect(upgrades).toEqual([]);
    expect(report.failure?.code).toBe('PRE_ACT_BLOCKED');
    expect(report.nodes.filter((n) => n.role === 'worker' && n.outcome === 'succeeded')).toEqual(
      [],
    );
  }, 120_000);
});
