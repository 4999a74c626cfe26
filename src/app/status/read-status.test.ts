/**
 * `drover status` on a rebuilt runner: the local journal is gone, and status reads the S3 copy
 * under the key the run wrote it to (one key function for both, build-journal-backup.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3TestServer } from '../../../test/helpers/s3-server.js';
import { writeConfig } from '../../../test/upgrade/harness.js';
import { Redactor } from '../../core/redact.js';
import type { JournalEntry } from '../../ports/journal.js';
import { loadConfig } from '../config/load-config.js';
import { buildJournalAndBackup } from '../upgrade/build-journal-backup.js';
import { readStatus } from './read-status.js';

let s3: S3TestServer;
let dir: string;
let config: string;

beforeAll(async () => {
  s3 = await startS3Server('drover-state');
  dir = mkdtempSync(join(tmpdir(), 'drover-status-'));
  config = writeConfig(dir, (t) =>
    t
      .replace('bucket: prox-ops-terraform-backups', 'bucket: drover-state')
      .replace('endpoint: https://s3.10.20.66.5.nip.io', `endpoint: ${s3.endpoint}`),
  );
}, 30_000);
afterAll(async () => {
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
});

const run = 'prox-ops-cattle-1.11.0-1';
const entries: JournalEntry[] = [
  { type: 'run-started', at: 1, runId: run, kind: 'cattle', from: '1.10.8', to: '1.11.0' },
  { type: 'step-started', at: 2, runId: run, stepId: 'k8s-work-1/cordon', node: 'k8s-work-1' },
  {
    type: 'step-finished',
    at: 3,
    runId: run,
    stepId: 'k8s-work-1/cordon',
    node: 'k8s-work-1',
    action: 'cordon',
    outcome: 'succeeded',
  },
];

describe('readStatus with journal.s3', () => {
  it('reads the S3 copy a run wrote when the local file is gone', async () => {
    const loaded = await loadConfig(config);
    const journalFile = join(dir, 'runner-journal.jsonl');
    const { journal } = buildJournalAndBackup(loaded, journalFile, s3.env, new Redactor());
    for (const entry of entries) await journal.append(entry);
    await journal.close?.();
    rmSync(journalFile);

    const result = await readStatus({ journal: journalFile, config }, s3.env);

    expect(result.notes.filter((n) => n.includes('S3'))).toEqual([]);
    expect(result.status).toMatchObject({
      runId: run,
      state: 'unfinished',
      cordoned: ['k8s-work-1'],
      lastFinished: { stepId: 'k8s-work-1/cordon' },
    });
  });
});
