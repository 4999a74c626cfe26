/**
 * --world: the whole simulated world (its state, the clock's time and the store snapshot) in one
 * JSON file, written atomically (temp file + rename) after every change, coalesced per burst of
 * synchronous changes so a process killed between two awaits never leaves a torn or stale file.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DroverError } from '../../../core/errors.js';
import type { WorldFile } from './state.js';

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

export function writeWorldFile(path: string, file: WorldFile): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(file));
  renameSync(temp, path);
}

/** Coalesces change notifications into one synchronous save per microtask burst. */
export class WorldSaver {
  private queued = false;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly snapshot: () => WorldFile,
  ) {}

  request(): void {
    if (this.queued || this.closed) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      if (!this.closed) this.saveNow();
    });
  }

  saveNow(): void {
    writeWorldFile(this.path, this.snapshot());
  }

  close(): void {
    this.closed = true;
  }
}
