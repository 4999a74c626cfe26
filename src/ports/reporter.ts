/** Progress, as events: the CLI renders them (live task list on a TTY, plain lines otherwise). */
export type ProgressEvent =
  | {
      type: 'run-started';
      at: number;
      kind: string;
      from: string;
      to: string;
      cluster: string;
      resumed: boolean;
    }
  | { type: 'phase-started'; at: number; phase: string; title: string }
  | { type: 'phase-finished'; at: number; phase: string }
  | {
      type: 'step-started';
      at: number;
      stepId: string;
      node?: string;
      action: string;
      title: string;
      attempt: number;
    }
  | {
      type: 'step-finished';
      at: number;
      stepId: string;
      node?: string;
      action: string;
      outcome: string;
      durationSeconds: number;
      message?: string;
    }
  | { type: 'gate-waiting'; at: number; stepId: string; reason: string }
  | { type: 'log'; at: number; level: 'info' | 'warn' | 'error'; message: string; node?: string }
  | { type: 'run-finished'; at: number; outcome: string };

export interface Reporter {
  event(event: ProgressEvent): void;
}
