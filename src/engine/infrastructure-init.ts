/**
 * `terraform init` (backend and providers) once per run, before the run's first Terraform
 * command: a fresh or CI checkout has no `.terraform/`, and every command before init fails with
 * "Backend initialization required". Every handler that touches the infrastructure port calls
 * this first; the port's init is memoized per run here (the Terraform adapter also guards itself).
 */
import type { RunState } from './context.js';

const initialised = new WeakMap<RunState, Promise<void>>();

export function ensureInfrastructureInit(run: RunState): Promise<void> {
  const init = run.ports.infrastructure.init?.bind(run.ports.infrastructure);
  if (!init) return Promise.resolve();
  let done = initialised.get(run);
  if (!done) {
    // Not under the state mutex: callers may already hold it, and init reads no state.
    done = init(run.signal);
    // A failed init is tried again by the next caller.
    done.catch(() => initialised.delete(run));
    initialised.set(run, done);
  }
  return done;
}
