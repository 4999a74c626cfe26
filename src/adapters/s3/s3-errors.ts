/** Maps SDK/network failures to DroverErrors: a down server is S3_UNAVAILABLE (retryable), never a silent pass. */
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

export function s3Error(
  error: unknown,
  action: string,
  target: string,
  endpoint: string,
  redactor: Redactor,
): DroverError {
  if (error instanceof DroverError) return error;
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = e.name ?? '';
  const code = e.code ?? (error as { cause?: { code?: string } }).cause?.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  const message = redactor.redact(e.message ?? String(error));
  const details = { action, target, endpoint, status, errorName: name || code };
  if (
    NETWORK_CODES.has(code) ||
    NETWORK_CODES.has(name) ||
    name === 'TimeoutError' ||
    /socket hang up|ECONNREFUSED|connect E/.test(message) ||
    (status !== undefined && status >= 500)
  ) {
    return new DroverError(
      'failed',
      'S3_UNAVAILABLE',
      `S3 ${action} of ${target} failed: the server at ${endpoint} is unavailable (${message})`,
      {
        cause: error,
        hint: 'the backup store is down or unreachable: no VM is destroyed without a verified backup; retry when it answers',
        details,
      },
    );
  }
  if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound' || status === 404) {
    const bucket = name === 'NoSuchBucket';
    return new DroverError(
      bucket ? 'input' : 'failed',
      bucket ? 'S3_BUCKET_MISSING' : 'S3_OBJECT_MISSING',
      `S3 ${action}: ${target} does not exist (${message})`,
      {
        cause: error,
        hint: bucket
          ? 'create the bucket or fix backup.bucket in the config'
          : 'the object was removed or never written',
        details,
      },
    );
  }
  if (
    ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden'].includes(name) ||
    status === 403
  ) {
    return new DroverError(
      'input',
      'S3_ACCESS_DENIED',
      `S3 ${action} of ${target} was denied (${name || status})`,
      {
        cause: error,
        hint: 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the bucket policy',
        details,
      },
    );
  }
  return new DroverError('failed', 'S3_FAILED', `S3 ${action} of ${target} failed: ${message}`, {
    cause: error,
    hint: 'check the S3 endpoint and bucket settings',
    details,
  });
}
