/**
 * The If-Match path, which s3rver cannot exercise (it ignores conditional PUTs): a strict fake
 * that behaves like AWS S3 conditional writes (412 PreconditionFailed on a stale ETag, or on
 * If-None-Match: * when the object exists).
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../core/redact.js';
import type { JournalEntry } from '../../ports/journal.js';
import { S3JournalStore } from './s3-journal-store.js';

class ConditionalS3 {
  body: string | undefined;
  etag = 0;
  puts = 0;
  /** Runs before the n-th PUT is judged: another runner writing in between. */
  beforePut: ((n: number) => void) | undefined;

  send(command: unknown): Promise<unknown> {
    if (command instanceof GetObjectCommand) {
      if (this.body === undefined)
        return Promise.reject(
          Object.assign(new Error('The specified key does not exist.'), {
            name: 'NoSuchKey',
            $metadata: { httpStatusCode: 404 },
          }),
        );
      const text = this.body;
      return Promise.resolve({
        ETag: `"${this.etag}"`,
        Body: { transformToString: () => Promise.resolve(text) },
      });
    }
    if (command instanceof PutObjectCommand) {
      this.puts++;
      this.beforePut?.(this.puts);
      const { IfMatch, IfNoneMatch, Body } = command.input;
      const stale =
        (IfMatch !== undefined && IfMatch !== `"${this.etag}"`) ||
        (IfNoneMatch === '*' && this.body !== undefined);
      if (stale)
        return Promise.reject(
          Object.assign(
            new Error('At least one of the pre-conditions you specified did not hold'),
            { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } },
          ),
        );
      this.body = String(Body);
      this.etag++;
      return Promise.resolve({ ETag: `"${this.etag}"` });
    }
    return Promise.reject(new Error('unexpected command'));
  }
  destroy(): void {}
}

const entry = (stepId: string): JournalEntry => ({ type: 'note', at: 1, runId: 'r', stepId });
const store = (fake: ConditionalS3, conflictAttempts = 5) =>
  new S3JournalStore({
    bucket: 'b',
    key: 'j.jsonl',
    env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'bbbb' },
    redactor: new Redactor(),
    client: fake as unknown as S3Client,
    conflictAttempts,
  });

describe('S3JournalStore conditional appends', () => {
  it("retries on 412 and keeps the other writer's entry", async () => {
    const fake = new ConditionalS3();
    const journal = store(fake);
    await journal.append(entry('a'));
    fake.beforePut = (n) => {
      if (n === 2) {
        fake.body = `${fake.body}${JSON.stringify(entry('other'))}\n`;
        fake.etag++;
      }
    };
    await journal.append(entry('b'));
    expect((await journal.readAll()).map((e) => e.stepId)).toEqual(['a', 'other', 'b']);
    expect(fake.puts).toBe(3);
  });

  it('creating the journal uses If-None-Match so two first writers cannot both win', async () => {
    const fake = new ConditionalS3();
    fake.beforePut = (n) => {
      if (n === 1) {
        fake.body = `${JSON.stringify(entry('first'))}\n`;
        fake.etag++;
      }
    };
    await store(fake).append(entry('second'));
    expect(
      fake.body
        ?.trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as JournalEntry).stepId),
    ).toEqual(['first', 'second']);
  });

  it('gives up with JOURNAL_CONFLICT when another writer never stops', async () => {
    const fake = new ConditionalS3();
    fake.beforePut = () => {
      fake.body = `${fake.body ?? ''}${JSON.stringify(entry('noise'))}\n`;
      fake.etag++;
    };
    await expect(store(fake, 3).append(entry('mine'))).rejects.toMatchObject({
      code: 'JOURNAL_CONFLICT',
    });
    expect(fake.puts).toBe(3);
  });
});
