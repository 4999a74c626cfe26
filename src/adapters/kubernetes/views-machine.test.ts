import { describe, expect, it } from 'vitest';
import { toNodeView } from './views.js';

describe('toNodeView: the machine identity a replacement is confirmed by', () => {
  it('reads status.nodeInfo.systemUUID and bootID (k8s.io/api core/v1 NodeSystemInfo)', () => {
    const view = toNodeView({
      metadata: { name: 'k8s-work-1', resourceVersion: '7' },
      status: {
        nodeInfo: {
          osImage: 'Talos (v1.11.0)',
          kubeletVersion: 'v1.33.5',
          systemUUID: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
          bootID: '0e6a4c2b-51d3-4a3e-8f2e-9b1d7c5a4e21',
        },
      },
    });
    expect(view.systemUUID).toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
    expect(view.bootID).toBe('0e6a4c2b-51d3-4a3e-8f2e-9b1d7c5a4e21');
    expect(toNodeView({ metadata: { name: 'x' } }).systemUUID).toBeUndefined();
  });
});
