/**
 * --world: the whole simulated world (its state, the clock's time and the store snapshot) in one
 * JSON file, written atomically (temp file + rename) after every change, coalesced per burst of
 * synchronous changes so a process killed between two awaits never leaves a torn or stale file.
 */
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
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

/** Room for `{"now":<epoch ms>}` for the next few centuries. */
const CLOCK_WIDTH = 40;

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
  private clockFd: number | undefined;

  constructor(
    private readonly path: string,
    private readonly world: () => WorldState,
    private readonly store: KubeStore,
  ) {}

  /**
   * A change to save: the world (full save) or only the clock's time, which goes to a small
   * sidecar file (`<path>.clock`) so that hours of idle waiting do not rewrite the world.
   */
  request(kind: 'world' | 'time' = 'world'): void {
    if (kind === 'world') this.worldDirty = true;
    if (this.queued || this.closed) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      if (this.closed) return;
      if (this.worldDirty) this.saveNow();
      else this.saveTime();
    });
  }

  /**
   * The time goes into the sidecar in place, one write of a fixed width (padded with spaces, so
   * the file is always one whole JSON document, and a kill cannot tear a single small write):
   * the clock moves thousands of times a run, and a temporary file renamed over the old one
   * (ext4 starts writing it back) cost a crash-and-resume run about half its CPU time.
   */
  private saveTime(): void {
    const text = JSON.stringify({ now: this.world().now }).padEnd(CLOCK_WIDTH);
    if (this.clockFd !== undefined) {
      writeSync(this.clockFd, text, 0);
      return;
    }
    const temp = `${this.path}.clock.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, `${this.path}.clock`);
    this.clockFd = openSync(`${this.path}.clock`, 'r+');
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
    if (this.clockFd !== undefined) closeSync(this.clockFd);
    this.clockFd = undefined;
  }
}
