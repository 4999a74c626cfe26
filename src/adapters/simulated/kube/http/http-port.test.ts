import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../../core/redact.js';
import { addNode } from '../../../../../test/helpers/kube-fixtures.js';
import { realClock } from '../../../../../test/helpers/kube-http-harness.js';
import { KubeStore } from '../store.js';
import { createHttpKubernetesPort } from './http-port.js';

describe('createHttpKubernetesPort (the --api http seam)', () => {
  it('serves the store to the real adapter over HTTP and counts the requests', async () => {
    const store = new KubeStore(() => Date.now());
    addNode(store, { name: 'w-1' });
    const redactor = new Redactor();
    const http = await createHttpKubernetesPort({
      store,
      clock: realClock,
      now: () => Date.now(),
      redactor,
    });
    try {
      expect(http.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await http.port.listNodes()).map((n) => n.name)).toEqual(['w-1']);
      const waiting = http.port.waitForNode('w-1', (n) => n?.unschedulable === true, {
        timeoutMs: 10_000,
      });
      await http.port.cordon('w-1');
      expect((await waiting)?.unschedulable).toBe(true);
      expect(http.server.requestCounts()).toMatchObject({
        'LIST nodes': 2,
        'PATCH nodes': 1,
        'WATCH nodes': 1,
      });
      expect(http.server.totalRequests()).toBe(4);
      expect(redactor.size).toBeGreaterThan(0);
    } finally {
      await http.close();
    }
  });
});
