/**
 * Invariants disruption-budget and recheck-before-act: a worker of another failure domain going down on its own at any moment of
 * k8s-work-1's unit never leads to two failure domains down. Drover re-proves the budget right
 * before it cordons and right before every destructive call, so it waits (or stops cleanly).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/adapters/simulated/index.js';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();
// One domain at a time, one worker at a time: k8s-work-1's unit is the only one in flight.
const ONE_DOMAIN = { maxUnavailableWorkers: 1, maxUnavailableDomains: 1 };

function withFaults(name: string, faults: Scenario['faults']): string {
  return scenarioFile(dir, name, (s) => {
    s.policy = { ...s.policy, disruption: { ...s.policy.disruption, ...ONE_DOMAIN } };
    s.faults = faults;
  });
}

interface Window {
  unitStart: number;
  unitEnd: number;
  /** The apply already running: a node dying inside it is beyond any check (see below). */
  applyStart: number;
  applyEnd: number;
}

let window: Window;

beforeAll(async () => {
  const { report } = await simulateInProcess({ scenarioFile: withFaults('sweep-baseline', []) });
  const runStart = Date.parse(report.startedAt);
  const unit = report.nodes.find((n) => n.name === 'k8s-work-1');
  if (!unit?.startedAt || !unit.finishedAt) throw new Error('k8s-work-1 did not run');
  let at = (Date.parse(unit.startedAt) - runStart) / 1000;
  let applyStart = 0;
  let applyEnd = 0;
  for (const step of unit.steps) {
    if (step.name === 'replace-vm') [applyStart, applyEnd] = [at, at + step.durationSeconds];
    at += step.durationSeconds;
  }
  window = {
    unitStart: (Date.parse(unit.startedAt) - runStart) / 1000,
    unitEnd: (Date.parse(unit.finishedAt) - runStart) / 1000,
    applyStart,
    applyEnd,
  };
});

describe('a node of another domain goes down during k8s-work-1 (one domain at a time)', () => {
  it('never two failure domains down, whatever the moment', async () => {
    const moments: number[] = [];
    for (let t = Math.floor(window.unitStart) - 30; t <= window.unitEnd; t += 25) {
      // Inside the apply, Terraform is already destroying k8s-work-1's VM: no check can run
      // between its start and the destroy, and an abort must not kill it (invariant run-to-completion).
      if (t > window.applyStart && t < window.applyEnd) continue;
      moments.push(t);
    }
    expect(moments.length).toBeGreaterThan(20);
    const outcomes: string[] = [];
    for (const t of moments) {
      const file = withFaults(`sweep-${t}`, [
        { type: 'node-down', node: 'k8s-work-4', fromSeconds: t, untilSeconds: t + 240 },
      ]);
      const { report, exitCode } = await simulateInProcess({ scenarioFile: file });
      expect(report.violations, `node-down at ${t}s`).toEqual([]);
      expect([0, 1, 3], `node-down at ${t}s`).toContain(exitCode);
      outcomes.push(`${t}:${exitCode}`);
    }
    // Most moments end in a finished upgrade: Drover waited for the node rather than stop.
    expect(outcomes.filter((o) => o.endsWith(':0')).length).toBeGreaterThan(0);
  }, 120_000);
});
