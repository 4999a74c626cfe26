/**
 * Keeps an Alertmanager silence over the run: created before anything else acts, extended every
 * third of its duration while the run lasts, expired on every path. Each silence lasts only
 * `durationSeconds` ahead of now, so a crashed runner's silence lapses on its own soon after.
 *
 * A silence that cannot be created refuses the run (SILENCE_CREATE_FAILED, exit 3, before any
 * node) unless the config says `onCreateFailure: warn`: an unattended run that pages people for
 * every node it takes down is worse than a run that waits for the next attempt. A failed
 * extension is retried; a silence someone expired by hand is left expired (they want the alerts);
 * a failed expiry is reported (the silence then ends on its own).
 */
import { DroverError, isDroverError } from '../core/errors.js';
import type { SilenceWindow } from '../ports/silences.js';
import type { RunState } from './context.js';
import { pause } from './retry.js';
import { appendEntry } from './journal-append.js';

export interface SilenceKeeper {
  /** Stops extending and expires the silence; returns notes for the report. Never throws. */
  close(): Promise<string[]>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function journal(run: RunState, message: string, data: Record<string, unknown>) {
  await appendEntry(run, { type: 'note', message, data }).catch(() => undefined);
}

type SilencePort = NonNullable<RunState['ports']['silences']>;

/** What the extension loop learns and close() reports; `id` follows Alertmanager's replacements. */
interface SilenceState {
  id: string;
  lastEndsAt: number;
  failedExtensions: number;
  /** Set when someone expired the silence by hand: the note that says so. */
  expiredElsewhere?: string;
}

/**
 * The new silence's id; refused (SILENCE_CREATE_FAILED) when it cannot be created, unless the
 * config says warn: then the note to report, and the run goes on unsilenced.
 */
async function createSilence(
  run: RunState,
  port: SilencePort,
  window: () => SilenceWindow,
): Promise<{ id: string } | { note: string }> {
  try {
    run.audit({ operation: 'silences.create', inputs: { durationSeconds: port.durationSeconds } });
    return { id: await port.create(window()) };
  } catch (error) {
    const why = `could not create the Alertmanager silence (${port.description}): ${messageOf(error)}`;
    if (port.onCreateFailure === 'refuse')
      throw new DroverError('refused', 'SILENCE_CREATE_FAILED', why, {
        hint: 'Nothing was touched. Fix alertmanager.url or its auth, or set alertmanager.onCreateFailure: warn to upgrade without a silence.',
      });
    const note = `${why}; going on without it (alertmanager.onCreateFailure: warn)`;
    run.log('warn', note);
    await journal(run, note, { silence: null, event: 'create-failed' });
    return { note };
  }
}

/** Extends every third of the duration until `signal` aborts or someone expires it by hand. */
async function keepExtending(
  run: RunState,
  port: SilencePort,
  window: () => SilenceWindow,
  state: SilenceState,
  signal: AbortSignal,
): Promise<void> {
  const { clock } = run.ports;
  const durationMs = port.durationSeconds * 1000;
  let delay = durationMs / 3;
  while (!signal.aborted) {
    try {
      await pause(clock, delay, signal);
    } catch {
      return;
    }
    const next = window();
    try {
      const newId = await port.extend(state.id, next);
      if (newId !== state.id)
        run.log('info', `Alertmanager replaced silence ${state.id} by ${newId}`);
      state.id = newId;
      state.lastEndsAt = next.endsAt;
      delay = durationMs / 3;
    } catch (error) {
      if (signal.aborted) return;
      if (isDroverError(error) && error.code === 'SILENCE_EXPIRED_ELSEWHERE') {
        // Someone wants the alerts back: leave it expired, say so, stop extending.
        const note = `${error.message}: not silenced again`;
        run.log('warn', note);
        await journal(run, note, { silence: state.id, event: 'expired-elsewhere' });
        state.expiredElsewhere = note;
        return;
      }
      state.failedExtensions++;
      // Retry well before the silence ends: sooner each time, never below a second.
      delay = Math.max(1000, Math.min(delay / 2, (state.lastEndsAt - clock.now()) / 3));
      run.log('warn', `could not extend Alertmanager silence ${state.id}: ${messageOf(error)}`);
    }
  }
}

/** Expires the silence (once the loop has stopped); a failed expiry is said, never thrown. */
async function expireSilence(
  run: RunState,
  port: SilencePort,
  state: SilenceState,
): Promise<string[]> {
  // Expired by someone else already: nothing left to expire.
  if (state.expiredElsewhere) return [state.expiredElsewhere];
  const { id } = state;
  const notes: string[] = [];
  if (state.failedExtensions > 0)
    notes.push(`${state.failedExtensions} extension(s) of Alertmanager silence ${id} failed`);
  try {
    run.audit({ operation: 'silences.expire', inputs: { id } });
    await port.expire(id);
    notes.push(`Alertmanager silence ${id} expired`);
    await journal(run, `Alertmanager silence ${id} expired`, { silence: id, event: 'expired' });
  } catch (error) {
    const note = `could not expire Alertmanager silence ${id} (${messageOf(error)}); it ends on its own at ${new Date(state.lastEndsAt).toISOString()}`;
    run.log('warn', note);
    notes.push(note);
    await journal(run, note, { silence: id, event: 'expire-failed' });
  }
  return notes;
}

export async function openSilence(run: RunState): Promise<SilenceKeeper | undefined> {
  const port = run.ports.silences;
  if (port === undefined) return undefined;
  const { clock } = run.ports;
  const durationMs = port.durationSeconds * 1000;
  const { plan } = run;
  const window = (): SilenceWindow => ({
    startsAt: clock.now(),
    endsAt: clock.now() + durationMs,
    comment: `Drover ${plan.kind} upgrade of ${plan.cluster} to ${plan.to} (run ${run.runId})`,
  });
  const created = await createSilence(run, port, window);
  if ('note' in created) return { close: async () => [created.note] };
  const { id } = created;
  run.log('info', `Alertmanager silence ${id} created (${port.description})`);
  await journal(run, `Alertmanager silence ${id} created`, { silence: id, event: 'created' });

  const state: SilenceState = { id, lastEndsAt: clock.now() + durationMs, failedExtensions: 0 };
  const controller = new AbortController();
  const loop = keepExtending(run, port, window, state, controller.signal);
  return {
    async close() {
      controller.abort();
      await loop;
      return expireSilence(run, port, state);
    },
  };
}
