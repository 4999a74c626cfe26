/**
 * JournalStore kept as one JSONL object in S3, so a new runner can resume a run another runner
 * started. append() is read-modify-write: GET the object with its ETag, add a line, PUT with
 * `If-Match: <etag>` (or `If-None-Match: *` when creating it), retrying on 412 a few times.
 * Limits:
 *  - It is only as safe as the server: AWS S3 (since 2024), MinIO and recent Ceph RGW honour
 *    conditional PUTs; servers that ignore them (s3rver, old RGW) make a concurrent writer's
 *    entry silently lost. Drover holds the cluster lock while it writes, so there should be one
 *    writer; the condition is a second line of defence, not the first.
 *  - Cost grows with the journal (each append rewrites it): fine for one run's hundreds of
 *    entries, not for an unbounded log. One object per run id keeps it small.
 *  - An entry is durable once append() resolves (the PUT returned).
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DroverError } from '../../core/errors.js';
import { checkJournalEntry } from '../journal/journal-entry-schema.js';
import type { JournalEntry, JournalStore } from '../../ports/journal.js';
import { createS3Client, type S3ConnectionOptions } from './s3-client.js';
import { s3Error } from './s3-errors.js';

export interface S3JournalStoreOptions extends S3ConnectionOptions {
  /** Object key, e.g. drover/<cluster>/journal/<runId>.jsonl. */
  key: string;
  /** Attempts when another writer changed the object between our GET and PUT. */
  conflictAttempts?: number;
  /** A client to use instead of one built from these options (shared client, tests). */
  client?: Pick<S3Client, 'send' | 'destroy'>;
}

export class S3JournalStore implements JournalStore {
  private readonly client: Pick<S3Client, 'send' | 'destroy'>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: S3JournalStoreOptions) {
    this.client = options.client ?? createS3Client(options);
  }

  append(entry: JournalEntry): Promise<void> {
    // Appends from this process are serialized; other processes are handled by If-Match.
    const next = this.queue.then(() => this.appendOnce(entry));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async readAll(): Promise<JournalEntry[]> {
    await this.queue;
    const current = await this.read();
    return parseJournal(current?.text ?? '', this.options.key);
  }

  destroy(): void {
    this.client.destroy();
  }

  private async appendOnce(entry: JournalEntry): Promise<void> {
    const line = `${JSON.stringify(this.options.redactor.redactValue(entry))}\n`;
    const attempts = this.options.conflictAttempts ?? 5;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const current = await this.read();
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.options.bucket,
            Key: this.options.key,
            Body: `${current?.text ?? ''}${line}`,
            ContentType: 'application/x-ndjson',
            ...(current?.etag ? { IfMatch: current.etag } : { IfNoneMatch: '*' }),
          }),
        );
        return;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
          ?.httpStatusCode;
        if ((status === 412 || status === 409) && attempt < attempts) continue;
        if (status === 412 || status === 409) {
          throw new DroverError(
            'failed',
            'JOURNAL_CONFLICT',
            `another writer keeps changing the journal ${this.options.key}`,
            {
              hint: 'two runners are writing the same journal: stop one (the cluster lock should prevent this)',
            },
          );
        }
        throw s3Error(
          error,
          'journal append',
          this.options.key,
          this.options.endpoint ?? 'AWS S3',
          this.options.redactor,
        );
      }
    }
  }

  private async read(): Promise<{ text: string; etag?: string } | undefined> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.options.key }),
      );
      const text = (await response.Body?.transformToString('utf8')) ?? '';
      return response.ETag ? { text, etag: response.ETag } : { text };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
      throw s3Error(
        error,
        'journal read',
        this.options.key,
        this.options.endpoint ?? 'AWS S3',
        this.options.redactor,
      );
    }
  }
}

function parseJournal(text: string, key: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  const lines = text.split('\n');
  const corrupt = (line: number, why: string) =>
    new DroverError('input', 'JOURNAL_CORRUPT', `journal ${key} line ${line}: ${why}`, {
      hint: 'Inspect the journal object: resume cannot trust it. Restore it, or start a new run without --resume.',
      details: { line, problem: why },
    });
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // A torn last line cannot happen with whole-object PUTs; anything unparsable is corruption.
      throw corrupt(i + 1, 'not JSON');
    }
    const checked = checkJournalEntry(parsed);
    if (checked.problem !== undefined)
      throw corrupt(i + 1, `not a journal entry (${checked.problem})`);
    entries.push(checked.entry);
  });
  return entries;
}
