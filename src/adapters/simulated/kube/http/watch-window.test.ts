import { describe, expect, it } from 'vitest';
import type { StoreEvent } from '../store.js';
import { WatchWindow } from './watch-window.js';

/** kube-apiserver's watch cache history (watch_cache.go at 00f3bd44), as watch-window.ts says. */
function setup(listVersion = 10) {
  let now = 0;
  const w = new WatchWindow(listVersion, () => now);
  let rv = listVersion;
  const add = (count: number) => {
    for (let i = 0; i < count; i++) {
      rv += 1;
      w.add({
        type: 'MODIFIED',
        resource: 'nodes',
        object: { metadata: { name: 'w-1', resourceVersion: String(rv) } },
        resourceVersion: rv,
      } as StoreEvent);
    }
  };
  /** The versions a watch from `version` gets (throws on 410). */
  const versions = (version: number) => {
    const events = w.since(version);
    if (!Array.isArray(events)) throw new Error(`410: ${events.tooOld}`);
    return events.map((e) => e.resourceVersion);
  };
  return { w, add, versions, later: (ms: number) => (now += ms) };
}

describe('the watch cache window a watch resumes from', () => {
  it('reaches back to the version it was listed at until an event is dropped', () => {
    const { w, add, versions } = setup(10);
    expect(w.since(10)).toEqual([]);
    expect(w.since(9)).toEqual({ tooOld: 10 });
    add(3);
    expect(versions(10)).toEqual([11, 12, 13]);
    expect(versions(12)).toEqual([13]);
  });

  it('grows while its events are younger than 75 s: 5,001 events in a second still resume', () => {
    const { w, add } = setup(10);
    add(5001);
    expect(w.since(10)).toHaveLength(5001);
  });

  it('full with events older than 75 s, it drops its oldest: an older version is 410 Gone', () => {
    const { w, add, later, versions } = setup(10);
    add(100);
    later(80_000);
    add(2);
    expect(w.since(10)).toEqual({ tooOld: 12 });
    expect(w.since(11)).toEqual({ tooOld: 12 });
    expect(versions(12)[0]).toBe(13);
  });

  it('halves (down to 100) once its newest quarter is older than 75 s', () => {
    const { w, add, later } = setup(0);
    add(400); // within a second: grown to 400
    expect(w.since(0)).toHaveLength(400);
    later(80_000);
    add(1); // the newest quarter is old: 200 kept, then room for this one by dropping one more
    expect(w.since(0)).toEqual({ tooOld: 201 });
    expect(w.since(201)).toHaveLength(200);
  });
});
