/**
 * What a run opens around its phases and closes on every path: the Alertmanager silence, and
 * the before-run / after-run hook pair. Opened after the lock is held and before the first node;
 * closed before the lock is released, after the cleanup of a stop.
 */
import type { DroverError } from '../core/errors.js';
import type { RunState } from './context.js';
import { settleNodeHooks } from './node-hooks.js';
import { runHookPoint } from './run-hooks.js';
import { openSilence } from './silence-keeper.js';
import type { SilenceKeeper } from './silence-keeper.js';

export interface RunExtras {
  silence?: SilenceKeeper;
  /** Set before the before-run hook starts: from then on the after-run hook is owed. */
  beforeRunStarted: boolean;
}

/** Silence first (a before-run hook may itself raise alerts), then the before-run hook. Throws. */
export async function openRunExtras(run: RunState, extras: RunExtras): Promise<void> {
  const silence = await openSilence(run);
  if (silence) extras.silence = silence;
  extras.beforeRunStarted = true;
  const failure = await runHookPoint(run, 'before-run');
  if (failure) throw failure;
}

/**
 * The after-uncordon hooks stopped nodes still owe, the after-run hook (when the before-run
 * hook was started), then the silence's expiry. Never
 * throws: returns notes, and the after-run hook's failure for the caller to report.
 */
export async function closeRunExtras(
  run: RunState,
  extras: RunExtras,
  outcome: string,
): Promise<{ notes: string[]; failure?: DroverError }> {
  await settleNodeHooks(run);
  const failure = extras.beforeRunStarted
    ? await runHookPoint(run, 'after-run', { outcome })
    : undefined;
  const notes = (await extras.silence?.close()) ?? [];
  return { notes, ...(failure ? { failure } : {}) };
}
