import { afterEach, describe, expect, it } from 'vitest';
import { addNode } from '../../../../../test/helpers/kube-fixtures.js';
import { until } from '../../../../../test/helpers/kube-http-harness.js';
import { KubeStore } from '../store.js';
import { startFakeApiServer, type FakeApiServer } from './server.js';

let server: FakeApiServer;
afterEach(async () => server?.close());

/** Timers that fire only when the test moves time: the simulated clock's part. */
function manualTimers() {
  let now = 0;
  let timers: { at: number; fire: () => void }[] = [];
  return {
    after: (ms: number, fire: () => void) => {
      const t = { at: now + ms, fire };
      timers.push(t);
      return () => (timers = timers.filter((x) => x !== t));
    },
    advance: (ms: number) => {
      now += ms;
      const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fire();
    },
  };
}

async function open(path: string) {
  const res = await fetch(server.url + path, {
    headers: { Authorization: `Bearer ${server.token}` },
  });
  const lines: { type: string; object: { metadata: { resourceVersion: string } } }[] = [];
  let ended = false;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
    }
    ended = true;
  })().catch(() => (ended = true));
  return { lines, ended: () => ended };
}

describe('watch timers on the server clock (simulated time under drover simulate)', () => {
  it('bookmarks about every minute and closes at timeoutSeconds, when that clock says so', async () => {
    const store = new KubeStore(() => Date.now());
    addNode(store, { name: 'w-1' });
    const timers = manualTimers();
    server = await startFakeApiServer({ store, now: () => Date.now(), after: timers.after });
    const rv = store.resourceVersion;
    const w = await open(
      `/api/v1/nodes?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=240`,
    );
    await until(() => server.openWatches() === 1);
    timers.advance(60_000);
    await until(() => w.lines.length === 1);
    expect(w.lines[0]).toMatchObject({
      type: 'BOOKMARK',
      object: { metadata: { resourceVersion: rv } },
    });
    timers.advance(60_000);
    await until(() => w.lines.length === 2);
    expect(w.ended()).toBe(false);
    timers.advance(120_000);
    await until(() => w.ended());
    expect(server.openWatches()).toBe(0);
  });
});
