/**
 * The journal on the runner's disk and, with `journal.s3`, in S3 too: every entry goes to both
 * (durable only once both hold it), and a read takes the longer record, so a rebuilt runner
 * whose disk lost the file resumes from the S3 copy.
 */
import type { JournalEntry, JournalStore } from '../../ports/journal.js';

type Closable = JournalStore & { close?(): Promise<void> };

export class MirroredJournal implements JournalStore {
  constructor(
    private readonly local: Closable,
    private readonly remote: JournalStore,
  ) {}

  async append(entry: JournalEntry): Promise<void> {
    await this.local.append(entry);
    await this.remote.append(entry);
  }

  async readAll(): Promise<JournalEntry[]> {
    const [local, remote] = await Promise.all([this.local.readAll(), this.remote.readAll()]);
    return remote.length > local.length ? remote : local;
  }

  async close(): Promise<void> {
    await this.local.close?.();
  }
}
