import { afterEach, describe, expect, it } from 'vitest';
import { addNode } from '../../../test/helpers/kube-fixtures.js';
import { startHarness, until, type Harness } from '../../../test/helpers/kube-http-harness.js';
import { ManualClock } from '../../../test/helpers/manual-clock.js';
import { WATCH_IDLE_MS } from './watch-wait.js';

let h: Harness;
afterEach(async () => h?.close());

describe('waits on a watch that went half-open', () => {
  it('a watch that neither delivers nor closes is abandoned past its timeout, and the wait lists again', async () => {
    const clock = new ManualClock();
    h = await startHarness((s) => addNode(s, { name: 'w-1' }), clock);
    h.server.faults.halfOpenWatches = 1;
    let resolved = false;
    const waiting = h.adapter
      .waitForNode('w-1', (n) => n?.labels.moved === 'yes', { timeoutMs: 3_600_000 })
      .then((n) => {
        resolved = true;
        return n;
      });
    await until(() => h.server.openWatches() === 1);
    // The change happens while the only watch is dead: nothing arrives.
    h.store.mutate('nodes', undefined, 'w-1', (n) => (n.metadata.labels = { moved: 'yes' }));
    clock.advance(WATCH_IDLE_MS - 1000);
    await until(() => h.server.requestCounts()['LIST nodes'] === 1);
    expect(resolved).toBe(false);
    clock.advance(1000);
    const node = await waiting;
    expect(node?.labels.moved).toBe('yes');
    expect(h.server.requestCounts()['LIST nodes']).toBe(2);
  });
});

describe('waits through an API server blip', () => {
  it('a list failing longer than the read retries (its node being replaced) is retried until the deadline', async () => {
    h = await startHarness((s) => addNode(s, { name: 'w-1' }));
    h.server.faults.resetNextRequests = [{ pathPrefix: '/api/v1/nodes', count: 9 }];
    const node = await h.adapter.waitForNode('w-1', (n) => n?.ready === 'True', {
      timeoutMs: 600_000,
    });
    expect(node?.name).toBe('w-1');
    expect(h.server.faults.resetNextRequests?.[0]?.count).toBe(0);
  });
});
