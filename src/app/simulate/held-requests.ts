/**
 * `--api http`: the real client's requests go over loopback to the fake API server in this same
 * process. Between a request's write and its response nothing "in flight" shows to the virtual
 * clock's idle test, so on a loaded machine time could jump to the next timer while a plain read
 * was being served (a minute of virtual time for one node list). Plain requests hold the clock;
 * the waits (watches) do not: they wait on virtual time by design.
 */
import type { KubernetesPort } from '../../ports/index.js';

/** Port methods that wait for the world to change (watches): never held. */
const WAITS: ReadonlySet<string> = new Set(['waitForNode', 'waitForPodsGone']);

export interface HoldingClock {
  hold<T>(work: () => Promise<T>): Promise<T>;
}

export function holdingRequests(port: KubernetesPort, clock: HoldingClock): KubernetesPort {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || WAITS.has(property))
        return value;
      return (...args: unknown[]) =>
        clock.hold(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}
