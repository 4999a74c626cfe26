/**
 * A throwaway self-signed certificate for the served fake API server: kubectl sends a bearer
 * token only over TLS, and Node cannot make an X.509 certificate by itself, so openssl makes
 * one per run (valid a day, for 127.0.0.1). The key never leaves the serve directory.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../../adapters/exec/exec.js';
import { DroverError } from '../../core/errors.js';

export interface ServeTls {
  key: string;
  cert: string;
}

export async function makeServeTls(dir: string, signal?: AbortSignal): Promise<ServeTls> {
  const keyFile = join(dir, 'apiserver-key.pem');
  const certFile = join(dir, 'apiserver-cert.pem');
  const result = await exec({
    file: 'openssl',
    args: [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=drover-simulated-apiserver',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    timeoutMs: 30_000,
    // openssl writes the key and certificate to files; its output only goes into a message.
    shownOnly: ['stdout', 'stderr'],
    ...(signal ? { signal } : {}),
  }).catch((error: unknown) => {
    throw new DroverError(
      'failed',
      'SERVE_TLS_FAILED',
      'cannot make a certificate for the simulated API server with openssl',
      {
        cause: error,
        hint: 'Install openssl (Debian: apt-get install openssl): kubectl sends its token only over TLS.',
      },
    );
  });
  if (result.exitCode !== 0)
    throw new DroverError(
      'failed',
      'SERVE_TLS_FAILED',
      `openssl could not make a certificate (exit ${result.exitCode}): ${result.stderr.trim()}`,
      { hint: 'openssl 1.1.1 or later is needed (-addext).' },
    );
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
}
