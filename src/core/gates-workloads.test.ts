import { describe, expect, it } from 'vitest';
import { workloadsGate, type WorkloadAvailabilityReading } from './gates-workloads.js';
import { problemPodsGate, workloadGate } from './gates.js';

const w = (over: Partial<WorkloadAvailabilityReading> = {}): WorkloadAvailabilityReading => ({
  kind: 'Deployment',
  namespace: 'default',
  name: 'web',
  desired: 3,
  available: 3,
  generation: 2,
  observedGeneration: 2,
  unreadyPodNodes: [],
  ...over,
});

describe('workloadsGate', () => {
  const cases: {
    name: string;
    readings: WorkloadAvailabilityReading[] | undefined;
    excused?: string[];
    verdict: 'pass' | 'wait';
  }[] = [
    { name: 'unreadable is a wait', readings: undefined, verdict: 'wait' },
    { name: 'all available passes', readings: [w()], verdict: 'pass' },
    {
      name: 'a crash-looping replica (Running, not Ready) lowers availability: wait',
      readings: [w({ available: 2, unreadyPodNodes: ['k8s-work-2'] })],
      verdict: 'wait',
    },
    {
      name: 'a spec not yet observed by its controller is a wait, whatever the counts',
      readings: [w({ generation: 3, observedGeneration: 2 })],
      verdict: 'wait',
    },
    {
      name: 'a missing observedGeneration with a generation is not observed',
      readings: [w({ observedGeneration: undefined })],
      verdict: 'wait',
    },
    {
      name: 'shortfall explained by a pod on a node this run has out is excused',
      readings: [w({ available: 2, unreadyPodNodes: ['k8s-work-1'] })],
      excused: ['k8s-work-1'],
      verdict: 'pass',
    },
    {
      name: 'shortfall explained by an unscheduled replacement is excused',
      readings: [w({ available: 2, unreadyPodNodes: [undefined] })],
      excused: ['k8s-work-1'],
      verdict: 'pass',
    },
    {
      name: 'a crash loop elsewhere is not excused by a node out of service',
      readings: [w({ available: 1, unreadyPodNodes: ['k8s-work-1', 'k8s-work-5'] })],
      excused: ['k8s-work-1'],
      verdict: 'wait',
    },
    {
      name: 'DaemonSet short of numberAvailable waits',
      readings: [w({ kind: 'DaemonSet', desired: 15, available: 14 })],
      verdict: 'wait',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      expect(workloadsGate(c.readings, { excusedNodes: c.excused ?? [] }).verdict).toBe(c.verdict);
    });
});

describe('workloadGate observedGeneration', () => {
  it('waits while the controller has not observed the spec', () => {
    const d = workloadGate('CoreDNS', {
      desired: 2,
      available: 2,
      readyNodes: ['a', 'b'],
      generation: 5,
      observedGeneration: 4,
    });
    expect(d.verdict).toBe('wait');
  });
});

describe('problemPodsGate', () => {
  it('finished pods (CronJob history, evicted) never block', () => {
    expect(
      problemPodsGate([
        { namespace: 'batch', name: 'report-29000000-abcde', phase: 'Succeeded' },
        { namespace: 'default', name: 'web-1', phase: 'Failed' },
      ]).verdict,
    ).toBe('pass');
  });
  it('a Pending pod waits', () => {
    expect(problemPodsGate([{ namespace: 'd', name: 'p', phase: 'Pending' }]).verdict).toBe('wait');
  });
});
