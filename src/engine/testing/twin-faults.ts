/**
 * Fault decorators for engine tests on the twin (twin-run.ts): each wraps the ports of one
 * "process" so that one method fails, or the whole process dies, while the simulated world
 * under it goes on as the real cluster would.
 */
import { DroverError } from '../../core/errors.js';
import type { Ports } from '../../ports/index.js';
import { overriding } from './twin-run.js';

type RequiredPort = Parameters<typeof overriding>[1];

/**
 * A transient failure as the twin's own scripted faults report one: a code the catalogue marks
 * retryable, so the engine's retry policy tries the call again.
 */
export const blip = (what: string): DroverError =>
  new DroverError('failed', 'SIMULATED_FAULT', `${what}: connection reset by peer`);

/** A failure that is not retried (the catalogue marks its code final). */
export const broken = (what: string): DroverError =>
  new DroverError('failed', 'SIMULATED_FAULT_PERMANENT', `${what} is broken`);

/**
 * `port.method` throws `error()` on its first `times` calls (every call for 'always'), then
 * behaves; `when` limits which calls count (by their arguments).
 */
export function throwing<K extends RequiredPort>(
  ports: Ports,
  port: K,
  method: keyof Ports[K] & string,
  error: () => Error,
  times: number | 'always' = 'always',
  when: (...args: unknown[]) => boolean = () => true,
): Ports {
  let left = times === 'always' ? Infinity : times;
  return overriding(ports, port, method, (original) => {
    const call = original as unknown as (...a: unknown[]) => unknown;
    return (async (...args: unknown[]) => {
      if (left > 0 && when(...args)) {
        left--;
        throw error();
      }
      return call(...args);
    }) as unknown as Ports[K][typeof method];
  });
}

export interface Process {
  ports: Ports;
  /** SIGKILL: from now on every call and sleep of this process hangs forever. */
  kill(): void;
  readonly killed: boolean;
  /** Resolves once kill() was called. */
  died: Promise<void>;
}

/** The ports of one process that can be killed; the world and other processes go on. */
export function killable(ports: Ports): Process {
  let killed = false;
  let died!: () => void;
  const diedPromise = new Promise<void>((resolve) => (died = resolve));
  const never = new Promise<never>(() => undefined);
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, key) {
        const value = Reflect.get(obj, key) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (killed) return never;
          const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (v) => (killed ? never : v),
            (e) => (killed ? never : Promise.reject(e)),
          );
        };
      },
    });
  const wrapped = Object.fromEntries(
    Object.entries(ports).map(([name, port]) => [
      name,
      port && typeof port === 'object' && name !== 'reporter' ? wrap(port) : port,
    ]),
  ) as unknown as Ports;
  return {
    ports: wrapped,
    kill: () => {
      killed = true;
      died();
    },
    get killed() {
      return killed;
    },
    died: diedPromise,
  };
}

/** Every Terraform plan also changes `address` (a resource outside what the plan targets). */
export function planReaching(ports: Ports, address: string): Ports {
  return overriding(ports, 'infrastructure', 'plan', (plan) => async (request) => {
    const result = await plan(request);
    return { ...result, changes: [...result.changes, { address, actions: ['update'] }] };
  });
}

/** Counts the calls of `port.method` (e.g. how many applies went out). */
export function counting<K extends RequiredPort>(
  ports: Ports,
  port: K,
  method: keyof Ports[K] & string,
): { ports: Ports; count: () => number } {
  let n = 0;
  const counted = overriding(ports, port, method, (original) => {
    const call = original as unknown as (...a: unknown[]) => unknown;
    return ((...args: unknown[]) => {
      n++;
      return call(...args);
    }) as unknown as Ports[K][typeof method];
  });
  return { ports: counted, count: () => n };
}
