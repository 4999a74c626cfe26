/**
 * An exclusive lock file beside the journal (`<journal>.lock`, created with O_EXCL) holding the
 * owner's host, pid and a per-process nonce, so two Drover processes never append to one
 * journal, even two `--resume` of one run on one host. A lock whose process is gone (same host,
 * pid not alive: a crash or a kill) is stale and taken over; any other is refused.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DroverError } from '../../core/errors.js';

export interface LockOwner {
  host: string;
  pid: number;
  nonce: string;
  at: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; only ESRCH means gone.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string') return owner as LockOwner;
  } catch {
    // Unreadable or torn (its writer died mid-write): treated as stale below.
  }
  return undefined;
}

export class JournalFileLock {
  readonly path: string;
  readonly owner: LockOwner;
  private held = false;
  /** Set when a stale lock of a dead process was taken over: whose it was. */
  tookOverFrom: LockOwner | undefined;

  constructor(journalPath: string) {
    this.path = `${journalPath}.lock`;
    this.owner = {
      host: hostname(),
      pid: process.pid,
      nonce: randomBytes(6).toString('hex'),
      at: new Date().toISOString(),
    };
  }

  acquire(): void {
    if (this.held) return;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.path, `${JSON.stringify(this.owner)}\n`, { flag: 'wx', mode: 0o600 });
        this.held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const other = readOwner(this.path);
      // Same host: a dead pid is a crash; our own pid is an earlier, unclosed instance of this
      // very process (one process runs one upgrade at a time), not a second runner.
      const stale =
        other === undefined ||
        (other.host === this.owner.host && (other.pid === process.pid || !alive(other.pid)));
      if (!stale) {
        throw new DroverError(
          'refused',
          'JOURNAL_LOCKED',
          `the journal is in use by another Drover process (${other.host} pid ${other.pid}, since ${other.at})`,
          {
            hint: `One process per journal. Wait for it to finish; if it is gone (another host), delete ${this.path}.`,
            details: { lockFile: this.path, owner: other },
          },
        );
      }
      this.tookOverFrom = other;
      unlinkSync(this.path);
    }
    throw new DroverError('refused', 'JOURNAL_LOCKED', `could not take ${this.path}`, {
      hint: 'Another process took the journal lock at the same moment; try again.',
    });
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    // Only our own lock: a takeover by another process after ours went stale is theirs.
    if (readOwner(this.path)?.nonce === this.owner.nonce) unlinkSync(this.path);
  }
}
