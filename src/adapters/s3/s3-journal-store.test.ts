import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../core/redact.js';
import type { JournalEntry } from '../../ports/journal.js';
import { startS3Server, type S3TestServer } from '../../../test/helpers/s3-server.js';
import { S3JournalStore } from './s3-journal-store.js';

describe('S3JournalStore against s3rver', () => {
  let server: S3TestServer;
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const entry = (i: number, message?: string): JournalEntry => ({
    type: 'step-started',
    at: 1_700_000_000_000 + i,
    runId: 'run-1',
    stepId: `s${i}`,
    ...(message ? { message } : {}),
  });

  it('appends in order, and a second runner reads the same journal to resume', async () => {
    const redactor = new Redactor();
    redactor.add('hunter2-password');
    const options = {
      bucket: server.bucket,
      endpoint: server.endpoint,
      env: server.env,
      redactor,
      key: 'drover/reference/journal/run-1.jsonl',
    };
    const first = new S3JournalStore(options);
    expect(await first.readAll()).toEqual([]);
    await Promise.all([
      first.append(entry(1)),
      first.append(entry(2, 'used hunter2-password')),
      first.append(entry(3)),
    ]);
    first.destroy();

    const second = new S3JournalStore({ ...options, redactor: new Redactor() });
    const entries = await second.readAll();
    expect(entries.map((e) => e.stepId)).toEqual(['s1', 's2', 's3']);
    expect(entries[1]?.message).toBe(`used ${REDACTED}`);
    await second.append(entry(4));
    expect((await second.readAll()).map((e) => e.stepId)).toEqual(['s1', 's2', 's3', 's4']);
    second.destroy();
  });

  it('a server that is down fails the append as S3_UNAVAILABLE', async () => {
    const down = await startS3Server();
    const store = new S3JournalStore({
      bucket: down.bucket,
      endpoint: down.endpoint,
      env: down.env,
      redactor: new Redactor(),
      key: 'j.jsonl',
      maxAttempts: 1,
    });
    await down.stop();
    await expect(store.append(entry(1))).rejects.toMatchObject({
      code: 'S3_UNAVAILABLE',
      retryable: true,
    });
    store.destroy();
  });
});
