/**
 * A live task list on a TTY (listr2): one task per phase; while it runs, its output lists the
 * steps in flight as `node / step (elapsed)`, with what a gate is waiting for. Events arrive
 * from the engine faster than listr2 starts tasks, so each phase carries its own deferred
 * outcome: the task settles with it whenever it gets to run.
 */
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import type { ProgressEvent, Reporter } from '../../ports/reporter.js';
import { elapsed } from './format.js';

interface ActiveStep {
  node: string;
  title: string;
  startedAt: number;
  waiting?: string;
}

interface TaskView {
  title: string;
  output: string;
}

interface PhaseView {
  title: string;
  settle: (error?: Error) => void;
  done: Promise<void>;
  task?: TaskView;
}

export class LiveReporter implements Reporter {
  private readonly active = new Map<string, ActiveStep>();
  private phase: PhaseView | undefined;
  private running: Promise<void> = Promise.resolve();
  private now = 0;
  private runStart = 0;
  private lastWarning = '';
  private readonly logger = new ListrLogger({
    processOutput: new ProcessOutput(process.stderr, process.stderr),
  });

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
        break;
      case 'gate-waiting': {
        const step = this.active.get(event.stepId);
        if (step) step.waiting = event.reason;
        break;
      }
      case 'log':
        if (event.level !== 'info') this.lastWarning = `${event.level}: ${event.message}`;
        break;
      case 'run-finished':
        this.endPhase(
          event.outcome === 'succeeded' ? undefined : new Error(`run ${event.outcome}`),
        );
        return;
    }
    this.render();
  }

  /** Resolves once every phase's task has been drawn to completion. */
  async flush(): Promise<void> {
    this.endPhase();
    await this.running.catch(() => undefined);
  }

  private render(): void {
    const phase = this.phase;
    if (!phase?.task) return;
    const lines = [...this.active.values()].map(
      (s) =>
        `${s.node} / ${s.title} (${elapsed(this.now - s.startedAt)})${s.waiting ? `: waiting: ${s.waiting}` : ''}`,
    );
    if (this.lastWarning) lines.push(this.lastWarning);
    phase.task.output = lines.join('\n');
    phase.task.title = `${phase.title} [${elapsed(this.now - this.runStart)}]`;
  }

  private startPhase(title: string): void {
    this.endPhase();
    let settle!: (error?: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    const phase: PhaseView = { title, settle, done };
    this.phase = phase;
    this.lastWarning = '';
    const list = new Listr(
      [
        {
          title,
          task: async (_ctx, task) => {
            phase.task = task;
            this.render();
            await done;
          },
        },
      ],
      {
        renderer: 'default',
        // stdout is reserved for documents (--json); progress belongs on stderr.
        rendererOptions: { logger: this.logger },
        fallbackRendererOptions: { logger: this.logger },
        exitOnError: true,
        registerSignalListeners: false,
      },
    );
    this.running = this.running.then(() => list.run().then(() => undefined));
  }

  private endPhase(error?: Error): void {
    const phase = this.phase;
    if (!phase) return;
    this.phase = undefined;
    phase.settle(error);
  }
}
