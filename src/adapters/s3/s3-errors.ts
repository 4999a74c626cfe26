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

/** What a failed S3 call was and what came back, as the messages quote it (redacted). */
interface S3Failure {
  action: string;
  target: string;
  endpoint: string;
  name: string;
  status: number | undefined;
  message: string;
}

type S3FailureKind = 'unavailable' | 'bucket-missing' | 'object-missing' | 'denied' | 'other';

/** How each kind of failure is raised. */
const S3_FAILURES = {
  unavailable: {
    category: 'failed',
    code: 'S3_UNAVAILABLE',
    message: (f: S3Failure) =>
      `S3 ${f.action} of ${f.target} failed: the server at ${f.endpoint} is unavailable (${f.message})`,
    hint: 'the backup store is down or unreachable: no VM is destroyed without a verified backup; retry when it answers',
  },
  'bucket-missing': {
    category: 'input',
    code: 'S3_BUCKET_MISSING',
    message: (f: S3Failure) => `S3 ${f.action}: ${f.target} does not exist (${f.message})`,
    hint: 'create the bucket or fix backup.bucket in the config',
  },
  'object-missing': {
    category: 'failed',
    code: 'S3_OBJECT_MISSING',
    message: (f: S3Failure) => `S3 ${f.action}: ${f.target} does not exist (${f.message})`,
    hint: 'the object was removed or never written',
  },
  denied: {
    category: 'input',
    code: 'S3_ACCESS_DENIED',
    message: (f: S3Failure) => `S3 ${f.action} of ${f.target} was denied (${f.name || f.status})`,
    hint: 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the bucket policy',
  },
  other: {
    category: 'failed',
    code: 'S3_FAILED',
    message: (f: S3Failure) => `S3 ${f.action} of ${f.target} failed: ${f.message}`,
    hint: 'check the S3 endpoint and bucket settings',
  },
} as const satisfies Record<S3FailureKind, unknown>;

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
  const failure: S3Failure = { action, target, endpoint, name, status, message };
  const raised = S3_FAILURES[kindOf(name, code, status, message)];
  return new DroverError(raised.category, raised.code, raised.message(failure), {
    cause: error,
    hint: raised.hint,
    details: { action, target, endpoint, status, errorName: name || code },
  });
}

function kindOf(
  name: string,
  code: string,
  status: number | undefined,
  message: string,
): S3FailureKind {
  if (
    NETWORK_CODES.has(code) ||
    NETWORK_CODES.has(name) ||
    name === 'TimeoutError' ||
    /socket hang up|ECONNREFUSED|connect E/.test(message) ||
    (status !== undefined && status >= 500)
  )
    return 'unavailable';
  if (name === 'NoSuchBucket') return 'bucket-missing';
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return 'object-missing';
  if (
    ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden'].includes(name) ||
    status === 403
  )
    return 'denied';
  return 'other';
}
