import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../core/redact.js';
import { StandInScenario, STAND_INS, type StandInCall } from '../../../test/stand-ins/scenario.js';
import { SopsDecryptor } from './sops-decryptor.js';

const FILE = '/repo/talos/worker.sops.yaml';
const ARGS = ['-d', '--output-type', 'yaml', FILE];
let scenario: StandInScenario | undefined;

async function decryptorFor(calls: StandInCall[]) {
  scenario = await StandInScenario.create(calls);
  const redactor = new Redactor();
  const sops = new SopsDecryptor({
    binary: `${STAND_INS}/sops`,
    redactor,
    env: { SOPS_STANDIN_SCRIPT: scenario.path, SOPS_AGE_KEY_FILE: '/run/secrets/age.txt' },
  });
  return { sops, redactor };
}

afterEach(async () => {
  await scenario?.dispose();
  scenario = undefined;
});

describe('SopsDecryptor (sops stand-in)', () => {
  it('decrypts into memory and registers the plaintext for redaction', async () => {
    const { sops, redactor } = await decryptorFor([
      {
        expectArgs: ARGS,
        expectEnv: { SOPS_AGE_KEY_FILE: '/run/secrets/age.txt' },
        stdoutFile: 'sops/worker.decrypted.yaml',
      },
    ]);
    const plaintext = await sops.decrypt(FILE);
    const expected = await readFile(
      resolve(import.meta.dirname, '../../../test/fixtures/sops/worker.decrypted.yaml'),
      'utf8',
    );
    expect(plaintext).toBe(expected);
    // The Redactor registers the whole text and each line of 16+ characters.
    expect(redactor.redact('echo: token: q5w8zc.x1k3p9m2n4b6v8c0')).toBe(`echo: ${REDACTED}`);
    expect((await scenario!.log()).map((e) => e.error)).toEqual([undefined]);
  });

  it('returns the raw plaintext even when it contains an already-registered secret', async () => {
    const { sops, redactor } = await decryptorFor([
      { expectArgs: ARGS, stdoutFile: 'sops/worker.decrypted.yaml' },
    ]);
    redactor.add('q5w8zc.x1k3p9m2n4b6v8c0');
    expect(await sops.decrypt(FILE)).toContain('token: q5w8zc.x1k3p9m2n4b6v8c0');
  });

  it.each([
    [128, 'sops/key-unavailable.stderr', 'input', 'SOPS_KEY_UNAVAILABLE', /SOPS_AGE_KEY_FILE/],
    [51, 'sops/mac-mismatch.stderr', 'refused', 'SOPS_MAC_MISMATCH', /tampered/],
    [100, 'sops/missing-file.stderr', 'input', 'SOPS_FILE_MISSING', /path/],
    [2, 'sops/missing-file.stderr', 'input', 'SOPS_FILE_MISSING', /path/],
    [1, 'sops/not-sops.stderr', 'failed', 'SOPS_FAILED', /SOPS-encrypted/],
  ])('exit %i -> %s', async (exitCode, stderrFile, category, code, hint) => {
    const { sops } = await decryptorFor([{ expectArgs: ARGS, stderrFile, exitCode }]);
    const error = await sops.decrypt(FILE).catch((e: unknown) => e);
    expect(error).toMatchObject({ category, code, details: { exitCode, file: FILE } });
    expect((error as { hint: string }).hint).toMatch(hint);
  });

  it('a missing file: the error names the quoted path sops printed', async () => {
    const { sops } = await decryptorFor([
      { expectArgs: ARGS, stderrFile: 'sops/missing-file.stderr', exitCode: 100 },
    ]);
    await expect(sops.decrypt(FILE)).rejects.toMatchObject({
      code: 'SOPS_FILE_MISSING',
      message: expect.stringContaining(`non-existent file "${FILE}"`),
    });
  });

  it('empty output is a failure, not an empty config', async () => {
    const { sops } = await decryptorFor([{ expectArgs: ARGS, stdout: '' }]);
    await expect(sops.decrypt(FILE)).rejects.toMatchObject({ code: 'SOPS_FAILED' });
  });
});
