/**
 * Taking and giving back the cluster lock around a run (invariant single-lease-holder); keeping it
 * while the run lasts is lock-renewal.ts.
 */
import { DroverError } from '../core/errors.js';
import type { Ports } from '../ports/index.js';

// Long enough that renewals stay rare over a multi-hour run; a crashed holder blocks others this long
// (the same run resuming gets it back at once: same identity).
export const DEFAULT_LOCK_TTL_SECONDS = 300;

/** The runner asking: its lock port and the identity it holds the lease as. */
interface LockRunner {
  ports: Pick<Ports, 'lock'>;
  holderIdentity: string;
}

/** Refused (LOCK_HELD) while another holder's lease lives; returns a note when it took one over. */
export async function acquireLock(runner: LockRunner, ttl: number): Promise<string | undefined> {
  const result = await runner.ports.lock.acquire(runner.holderIdentity, ttl);
  if (!result.acquired) {
    const { holder } = result;
    const renewed =
      holder.renewedAt === undefined
        ? 'never renewed'
        : `last renewed ${new Date(holder.renewedAt).toISOString()}`;
    throw new DroverError(
      'refused',
      'LOCK_HELD',
      `another upgrade holds the cluster lock: ${holder.identity} (${renewed}, TTL ${holder.ttlSeconds}s)`,
      {
        hint: 'One upgrade per cluster at a time. Wait for it to finish; a crashed holder is taken over once its TTL passes.',
        details: {
          holder: holder.identity,
          renewedAt: holder.renewedAt ?? null,
          ttlSeconds: holder.ttlSeconds,
        },
      },
    );
  }
  if (result.tookOverFrom) {
    const from = result.tookOverFrom;
    return `took over the cluster lock from ${from.identity}, whose lease expired (${from.ttlSeconds}s TTL, last renewed ${from.renewedAt === undefined ? 'never' : new Date(from.renewedAt).toISOString()})`;
  }
  return undefined;
}

/** Never throws: the run is over either way, and an unreleased lease expires after its TTL. */
export async function releaseLock(runner: LockRunner, ttl: number): Promise<string | undefined> {
  try {
    await runner.ports.lock.release(runner.holderIdentity);
    return undefined;
  } catch (error) {
    return `could not release the cluster lock (${error instanceof Error ? error.message : String(error)}); it expires after ${ttl}s`;
  }
}
