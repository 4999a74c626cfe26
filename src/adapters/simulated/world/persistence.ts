/**
 * --world: the whole simulated world (its state, the clock's time and the store snapshot) in one
 * JSON file, written atomically (temp file + rename) after every change, coalesced per burst of
 * synchronous changes so a process killed between two awaits never leaves a torn or stale file.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DroverError } from '../../../core/errors.js';
import type { KubeStore } from '../kube/store.js';
import type { WorldFile, WorldState } from './state.js';

export function readWorldFile(path: string): WorldFile | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DroverError('input', 'WORLD_FILE_INVALID', `World file ${path} is not valid JSON`, {
      cause: error,
      hint: 'Delete it to start a fresh simulated world.',
    });
  }
  const file = parsed as Partial<WorldFile>;
  if (!file.world || file.world.format !== 1 || !file.store || !Array.isArray(file.store.objects))
    throw new DroverError(
      'input',
      'WORLD_FILE_INVALID',
      `World file ${path} is not a simulated world (format 1)`,
      {
        hint: 'Delete it to start a fresh simulated world.',
      },
    );
  return file as WorldFile;
}

/**
 * Coalesces change notifications into one synchronous save per event-loop turn (setImmediate
 * runs before any real I/O started in the same turn completes, so a process that dies after
 * awaiting its journal append has saved the world first). The store part is re-serialised
 * only when its resourceVersion moved.
 */
export class WorldSaver {
  private queued = false;
  private closed = false;
  private worldDirty = false;
  private storeJson: { rv: string; json: string } | undefined;

  constructor(
    private readonly path: string,
    private readonly world: () => WorldState,
    private readonly store: KubeStore,
  ) {}

  /**
   * A change to save. The clock's moves alone are not saved: a run is resumed from the world's
   * last change, and the time a crashed runner stays down is `--advance` (docs/scenarios.md).
   */
  request(): void {
    this.worldDirty = true;
    if (this.queued || this.closed) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      if (this.closed) return;
      if (this.worldDirty) this.saveNow();
    });
  }

  saveNow(): void {
    this.worldDirty = false;
    const rv = this.store.resourceVersion;
    if (this.storeJson?.rv !== rv)
      this.storeJson = { rv, json: JSON.stringify(this.store.snapshotView()) };
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `{"world":${JSON.stringify(this.world())},"store":${this.storeJson.json}}`);
    renameSync(temp, this.path);
  }

  close(): void {
    this.closed = true;
  }
}
