/**
 * Issue 10, must show: a node that goes down on its own at any moment of another node's unit
 * never leads to two failure domains down. worker-2 (beta) fails for 30 minutes at each request
 * of worker-1's (alpha) unit, before or after it; the run may wait or stop, but never breaks an
 * invariant. Small cluster, in-process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadScenario } from '../../src/adapters/simulated/index.js';
import { simulateInProcess, tempDir } from './helpers.js';

const SMALL = join('examples', 'small-cluster.yaml');
const dir = tempDir();

function scenarioWith(request: string, moment: string): string {
  const scenario = loadScenario(readFileSync(SMALL, 'utf8'), SMALL);
  scenario.name = `down-${request}-${moment}`;
  scenario.faults = [
    {
      type: 'node-down',
      node: 'worker-2',
      when: { request, node: 'worker-1', moment, delaySeconds: 0, forSeconds: 1800 },
    } as never,
  ];
  const file = join(dir, `${scenario.name}.yaml`);
  writeFileSync(file, stringify(scenario));
  return file;
}

const MOMENTS = [
  ['cordon', 'after'],
  ['drain', 'before'],
  ['evict', 'after'],
  ['drain', 'after'],
  ['backup-state', 'after'],
  ['terraform-plan', 'after'],
  ['replace-vm', 'before'],
  ['replace-vm', 'after'],
  ['wait-maintenance', 'after'],
  ['apply-config', 'after'],
  ['uncordon', 'before'],
] as const;

async function run(request: string, moment: string) {
  const { report } = await simulateInProcess({ scenarioFile: scenarioWith(request, moment) });
  expect(report.violations).toEqual([]);
  expect(report.nodes.filter((n) => n.vmReplacements > 1)).toEqual([]);
}

describe('worker-2 goes down at a moment of worker-1’s unit', () => {
  it.each(MOMENTS)('%s (%s): never two failure domains down', run);
});
