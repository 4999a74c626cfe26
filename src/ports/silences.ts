/**
 * Alert silences for the run's duration (Alertmanager). The engine opens one at the start,
 * extends it while the run lasts and expires it on every path; the adapter knows the matchers.
 */

export const SILENCE_CREATE_FAILURE_MODES = ['refuse', 'warn'] as const;
/** `refuse`: a silence that cannot be created stops the run before any node; `warn`: it goes on. */
export type SilenceCreateFailureMode = (typeof SILENCE_CREATE_FAILURE_MODES)[number];

export interface SilenceWindow {
  /** Epoch ms. */
  startsAt: number;
  /** Epoch ms. */
  endsAt: number;
  /** Says which run the silence belongs to. */
  comment: string;
}

export interface SilencePort {
  /** How long each silence (and each extension) lasts ahead of now, in seconds. */
  readonly durationSeconds: number;
  readonly onCreateFailure: SilenceCreateFailureMode;
  /** A description for messages, e.g. the Alertmanager URL and matchers (no secrets). */
  readonly description: string;
  /** Creates a silence; returns its id. */
  create(window: SilenceWindow): Promise<string>;
  /**
   * Moves the end of silence `id`; returns the id that now holds (Alertmanager replaces a
   * silence it cannot update in place with a new one under a new id).
   */
  extend(id: string, window: SilenceWindow): Promise<string>;
  /** Expires silence `id` now; one already expired or gone is done. */
  expire(id: string): Promise<void>;
}
