/**
 * Plain progress for CI logs and pipes: one timestamped line per event, on stderr. Times are
 * the run's clock (virtual in simulations) with the elapsed time since the run started.
 */
import type { ProgressEvent, Reporter } from '../../ports/reporter.js';
import { clockTime, elapsed } from './format.js';

export class PlainReporter implements Reporter {
  private startedAt: number | undefined;

  constructor(private readonly write: (line: string) => void = (l) => process.stderr.write(l)) {}

  event(event: ProgressEvent): void {
    this.startedAt ??= event.at;
    const stamp = `${clockTime(event.at)} +${elapsed(event.at - this.startedAt)}`;
    const line = this.format(event);
    if (line !== undefined) this.write(`${stamp} ${line}\n`);
  }

  private format(event: ProgressEvent): string | undefined {
    switch (event.type) {
      case 'run-started':
        return `${event.resumed ? 'resuming' : 'starting'} ${event.kind} upgrade of ${event.cluster}: ${event.from} -> ${event.to}`;
      case 'phase-started':
        return `== ${event.title}`;
      case 'phase-finished':
        return undefined;
      case 'step-started':
        return `${event.node ?? 'cluster'}: ${event.title}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`;
      case 'step-finished':
        return `${event.node ?? 'cluster'}: ${event.action} ${event.outcome} in ${event.durationSeconds.toFixed(0)}s${event.message ? `: ${event.message}` : ''}`;
      case 'gate-waiting':
        return `${event.stepId}: waiting: ${event.reason}`;
      case 'log':
        return `${event.level}${event.node ? ` ${event.node}` : ''}: ${event.message}`;
      case 'run-finished':
        return `run ${event.outcome}`;
    }
  }
}
