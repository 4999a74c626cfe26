/**
 * A live task list on a TTY (listr2): one task per phase; while it runs, its output lists the
 * steps in flight as `node / step (elapsed)`; warnings and finished steps scroll above.
 * Events arrive from the engine; each phase's task resolves when the phase finishes.
 */
import { Listr } from 'listr2';
import type { ListrTaskWrapper } from 'listr2';
import type { ProgressEvent, Reporter } from '../../ports/reporter.js';
import { elapsed } from './format.js';

interface ActiveStep {
  node: string;
  title: string;
  startedAt: number;
  waiting?: string;
}

// listr2's wrapper type carries renderer generics we do not use.
type AnyTask = ListrTaskWrapper<unknown, never, never>;

export class LiveReporter implements Reporter {
  private readonly active = new Map<string, ActiveStep>();
  private task: AnyTask | undefined;
  private finishPhase: (() => void) | undefined;
  private phaseError: ((e: Error) => void) | undefined;
  private running: Promise<void> = Promise.resolve();
  private now = 0;
  private runStart = 0;
  private failures = 0;

  event(event: ProgressEvent): void {
    this.now = event.at;
    switch (event.type) {
      case 'run-started':
        this.runStart = event.at;
        return;
      case 'phase-started':
        this.startPhase(event.title);
        return;
      case 'phase-finished':
        this.endPhase();
        return;
      case 'step-started':
        this.active.set(event.stepId, {
          node: event.node ?? 'cluster',
          title: event.title,
          startedAt: event.at,
        });
        break;
      case 'step-finished':
        this.active.delete(event.stepId);
        if (event.outcome === 'failed' || event.outcome === 'aborted') this.failures++;
        break;
      case 'gate-waiting': {
        const step = this.active.get(event.stepId);
        if (step) step.waiting = event.reason;
        break;
      }
      case 'log':
        if (this.task) this.task.output = `${event.level}: ${event.message}`;
        break;
      case 'run-finished':
        if (event.outcome !== 'succeeded') this.failPhase(`run ${event.outcome}`);
        else this.endPhase();
        return;
    }
    this.render();
  }

  /** Resolves once the last phase's task has been drawn to completion. */
  async flush(): Promise<void> {
    await this.running.catch(() => undefined);
  }

  private render(): void {
    if (!this.task) return;
    const lines = [...this.active.values()].map(
      (s) =>
        `${s.node} / ${s.title} (${elapsed(this.now - s.startedAt)})${s.waiting ? `: waiting: ${s.waiting}` : ''}`,
    );
    this.task.output = lines.join('\n');
    this.task.title = `${this.task.title.replace(/ \[\d\d:\d\d:\d\d\]$/, '')} [${elapsed(this.now - this.runStart)}]`;
  }

  private startPhase(title: string): void {
    this.endPhase();
    const list = new Listr(
      [
        {
          title,
          task: (_ctx, task) =>
            new Promise<void>((resolve, reject) => {
              this.task = task as unknown as AnyTask;
              this.finishPhase = resolve;
              this.phaseError = reject;
            }),
        },
      ],
      {
        renderer: 'default',
        rendererOptions: { collapseSubtasks: false },
        exitOnError: true,
        registerSignalListeners: false,
      },
    );
    const previous = this.running;
    this.running = previous.then(() => list.run().then(() => undefined));
  }

  private endPhase(): void {
    this.finishPhase?.();
    this.finishPhase = undefined;
    this.phaseError = undefined;
    this.task = undefined;
  }

  private failPhase(message: string): void {
    this.phaseError?.(new Error(message));
    this.finishPhase = undefined;
    this.phaseError = undefined;
    this.task = undefined;
  }
}
