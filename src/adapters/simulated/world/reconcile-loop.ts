/**
 * When the world's level-based controllers run: after a store event for a resource one of them
 * watches, or a change to world state (all of them), in passes queued as a microtask until
 * nothing more changes. Each pass hands the controllers what changed before it (`changes`) and
 * collects what changes during it (`next`) for the following pass.
 */
import { emptyChanges, type PassChanges } from './changes.js';

/** Reconcile passes in one burst before the world reports that its controllers do not settle. */
const MAX_RECONCILE_PASSES = 200;

export interface PassHooks {
  /** Before the controllers of a pass run (`world`: world state changed since the last pass). */
  beforePass(changes: PassChanges, world: boolean): void;
  /** Runs the controllers of a pass (as the world, not as Drover). */
  run(controllers: () => void): void;
}

export class ReconcileLoop {
  private queued = false;
  private running = false;
  private readonly reconcilers: { run: () => void; watches: string[] }[] = [];
  /** Resources changed since the last reconcile pass, and whether world state changed. */
  private readonly dirty = new Set<string>();
  private worldDirty = true;
  /** What changed before the reconcile pass now running (the controllers read it). */
  changes: PassChanges = emptyChanges(true);
  /** What changed during the pass now running (the next pass's changes, so far). */
  next: PassChanges = emptyChanges(true);

  constructor(private readonly hooks: PassHooks) {}

  add(run: () => void, watches: string[]): void {
    this.reconcilers.push({ run, watches });
  }

  /** A pass is running now. */
  get reconciling(): boolean {
    return this.running;
  }

  /** A store event for `resource`. */
  resourceChanged(resource: string): void {
    this.dirty.add(resource);
  }

  /** World state changed: every controller runs in the next pass. */
  worldChanged(): void {
    this.worldDirty = true;
  }

  /** Starting (or starting over): the first pass looks at everything. */
  restart(): void {
    this.next = emptyChanges(true);
  }

  request(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => this.reconcile());
  }

  private reconcile(): void {
    this.running = true;
    try {
      this.passes();
    } finally {
      this.running = false;
    }
  }

  private passes(): void {
    for (let pass = 0; ; pass++) {
      this.queued = false;
      if (this.dirty.size === 0 && !this.worldDirty) break;

      const changed = new Set(this.dirty);
      const world = this.worldDirty;
      this.dirty.clear();
      this.worldDirty = false;
      this.changes = this.next;
      this.next = emptyChanges(false);
      this.hooks.beforePass(this.changes, world);
      this.hooks.run(() => {
        for (const r of this.reconcilers)
          if (world || r.watches.some((w) => changed.has(w))) r.run();
      });
      if (pass > MAX_RECONCILE_PASSES)
        throw new Error('simulated cluster: controllers did not settle (a bug in the simulator)');
    }
    this.queued = false;
  }
}
