/**
 * Decrypts SOPS files with the sops binary (MAC-verified; no npm package does that, so we do not
 * hand-roll one). The plaintext stays in memory: captured from stdout as raw bytes, never logged,
 * and registered with the Redactor before anyone else sees it.
 * Exit codes (getsops/sops cmd/sops/codes): 128 key unavailable, 51 MAC mismatch, 100 no file,
 * 2 unreadable file, 25 tree decryption error, 1 generic.
 */
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import { exec } from '../exec/exec.js';

export interface SopsDecryptorOptions {
  binary?: string;
  redactor: Redactor;
  /** SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, AWS_* / GOOGLE_* / AZURE_* for KMS: from the environment only. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** What the secrets adapter needs from a decryptor (a fake implements it in tests). */
export interface Decryptor {
  decrypt(file: string, signal?: AbortSignal): Promise<string>;
}

export class SopsDecryptor implements Decryptor {
  constructor(private readonly options: SopsDecryptorOptions) {}

  async decrypt(file: string, signal?: AbortSignal): Promise<string> {
    const result = await exec({
      file: this.options.binary ?? 'sops',
      args: ['-d', '--output-type', 'yaml', file],
      timeoutMs: this.options.timeoutMs ?? 60_000,
      signal,
      redactor: this.options.redactor,
      env: this.options.env,
    });
    if (result.exitCode !== 0) throw sopsError(file, result.exitCode, result.stderr);
    // Raw bytes: the redacted `stdout` string would corrupt a config that contains a known secret.
    const plaintext = result.stdoutBytes.toString('utf8');
    result.stdoutBytes.fill(0);
    if (plaintext.trim() === '') {
      throw new DroverError('failed', 'SOPS_FAILED', `sops decrypted ${file} to nothing`, {
        hint: 'check that the file holds the machine config',
      });
    }
    this.options.redactor.add(plaintext);
    return plaintext;
  }
}

function sopsError(file: string, exitCode: number, stderr: string): DroverError {
  const said = firstLine(stderr);
  const details = { exitCode, file };
  switch (exitCode) {
    case 128:
      return new DroverError(
        'input',
        'SOPS_KEY_UNAVAILABLE',
        `sops could not get the data key to decrypt ${file}: ${said}`,
        {
          hint: 'give the runner its decryption key: SOPS_AGE_KEY_FILE (or SOPS_AGE_KEY) for age, or the KMS credentials (AWS_*, GOOGLE_APPLICATION_CREDENTIALS, AZURE_*) for the key the file names',
          details,
        },
      );
    case 51:
      return new DroverError(
        'refused',
        'SOPS_MAC_MISMATCH',
        `sops refused ${file}: its MAC does not match (the file was changed outside sops): ${said}`,
        {
          hint: 'the encrypted file was tampered with or edited by hand: restore it from version control or re-encrypt it with sops',
          details,
        },
      );
    case 100:
    case 2:
      return new DroverError('input', 'SOPS_FILE_MISSING', `sops could not read ${file}: ${said}`, {
        hint: 'check the machine config path in the Drover config (relative paths are from the config file)',
        details,
      });
    default:
      return new DroverError(
        'failed',
        'SOPS_FAILED',
        `sops -d ${file} exited ${exitCode}: ${said}`,
        {
          hint: 'check that the file is a SOPS-encrypted YAML file and that the sops version is current',
          details,
        },
      );
  }
}

function firstLine(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.trim() !== '') ?? '(no output)';
  return line.trim().slice(0, 300);
}
