/**
 * What a watch with selectors sees of a store event, as the real server's watch cache filters
 * it: an object that starts matching arrives as ADDED, one that stops matching as DELETED (its
 * last matching state, at the event's resourceVersion). Telling them apart needs the object as
 * it was before each event, kept here for the most recent events.
 */
import type { KubeObject, KubeStore, StoreEvent } from '../store.js';
import { RESOURCES } from './resources.js';
import type { Matcher } from './selection.js';

const PREVIOUS_LIMIT = 5000;

export class SelectorTransitions {
  /** The object as it was before each event, so selector transitions can be told. */
  private readonly previous = new Map<number, KubeObject | undefined>();
  private readonly lastSeen = new Map<string, KubeObject>();

  constructor(store: KubeStore) {
    for (const r of RESOURCES)
      for (const o of store.list(r.key)) this.lastSeen.set(objectKey(r.key, o), o);
  }

  /** Remembers what the event changed (call once per store event, before `seen`). */
  record(event: StoreEvent): void {
    const k = objectKey(event.resource, event.object);
    this.previous.set(event.resourceVersion, this.lastSeen.get(k));
    if (this.previous.size > PREVIOUS_LIMIT) {
      const first = this.previous.keys().next().value as number;
      this.previous.delete(first);
    }
    if (event.type === 'DELETED') this.lastSeen.delete(k);
    else this.lastSeen.set(k, event.object);
  }

  /** The event a watch with this matcher gets, or undefined when it gets none. */
  seen(matcher: Matcher, event: StoreEvent): { type: string; object: KubeObject } | undefined {
    const o = event.object;
    const matchesNow = matcher(o);
    if (event.type !== 'MODIFIED') return matchesNow ? { type: event.type, object: o } : undefined;
    const before = this.previous.get(event.resourceVersion);
    const matchedBefore = before ? matcher(before) : matchesNow;
    if (matchesNow) return { type: matchedBefore ? 'MODIFIED' : 'ADDED', object: o };
    if (matchedBefore && before)
      return {
        type: 'DELETED',
        object: {
          ...before,
          metadata: { ...before.metadata, resourceVersion: o.metadata.resourceVersion },
        },
      };
    return undefined;
  }
}

function objectKey(resource: string, o: KubeObject): string {
  return `${resource}|${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
