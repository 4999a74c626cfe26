import { describe, expect, it } from 'vitest';
import { toNodeView, toPodView } from './views.js';

describe('requests and allocatable as the API serves them', () => {
  it('a pod view carries its effective requests (containers summed, init floor, overhead)', () => {
    const view = toPodView({
      metadata: { namespace: 'apps', name: 'web-1' },
      spec: {
        nodeName: 'w-1',
        containers: [
          { resources: { requests: { cpu: '500m', memory: '1Gi' } } },
          { resources: { requests: { cpu: '1.5' } } },
        ],
        initContainers: [{ resources: { requests: { memory: '2Gi' } } }],
        overhead: { cpu: '10m' },
      },
    });
    expect(view.requests).toEqual({ cpuMillis: 2010, memoryBytes: 2 * 2 ** 30 });
  });

  it('a pod without requests requests nothing; allocatable stays the API strings', () => {
    expect(toPodView({ metadata: { name: 'p' }, spec: { containers: [{}] } }).requests).toEqual({
      cpuMillis: 0,
      memoryBytes: 0,
    });
    expect(
      toNodeView({
        metadata: { name: 'w-1' },
        status: { allocatable: { cpu: '7910m', memory: '32Gi' } },
      }).allocatable,
    ).toEqual({ cpu: '7910m', memory: '32Gi' });
  });
});
