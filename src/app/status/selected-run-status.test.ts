import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStatus } from './read-status.js';

describe('the status of a selected run that stopped', () => {
  it('gives the resume command with the selection it started with', async () => {
    const journal = join(mkdtempSync(join(tmpdir(), 'drover-status-')), 'cattle-1.11.0.jsonl');
    const started = {
      type: 'run-started',
      at: 1,
      runId: 'r1',
      kind: 'cattle',
      from: '1.10.8',
      to: '1.11.0',
      data: {
        selection: {
          requested: { role: 'worker', limit: 3 },
          nodes: ['w1', 'w2', 'w3'],
          canary: false,
        },
      },
    };
    const step = { type: 'step-started', at: 2, runId: 'r1', stepId: 'w1/cordon', node: 'w1' };
    writeFileSync(journal, `${JSON.stringify(started)}\n${JSON.stringify(step)}\n`);
    const result = await readStatus({ journal }, {});
    expect(result.resumeCommand).toBe(
      `drover upgrade cattle --to 1.11.0 --resume --journal ${journal} --role worker --limit 3`,
    );
    expect(result.status?.selection).toEqual({
      requested: { role: 'worker', limit: 3 },
      nodes: ['w1', 'w2', 'w3'],
      canary: false,
    });
  });
});
