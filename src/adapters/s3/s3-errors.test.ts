import { describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
import { Redactor } from '../../core/redact.js';
import { s3Error } from './s3-errors.js';

const redactor = new Redactor();
redactor.add('SECRET-ACCESS-KEY-1234');
const classify = (error: unknown) => s3Error(error, 'put', 's3://b/k', 'http://s3.local', redactor);

/** What @aws-sdk/client-s3 throws: a named ServiceException with $metadata.httpStatusCode. */
const sdkError = (name: string, status?: number, message = `${name} happened`) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('s3Error', () => {
  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      'S3_UNAVAILABLE',
      'failed',
    ],
    [
      'a network code in the cause',
      Object.assign(new Error('fetch failed'), { cause: { code: 'EAI_AGAIN' } }),
      'S3_UNAVAILABLE',
      'failed',
    ],
    ['an SDK timeout', sdkError('TimeoutError'), 'S3_UNAVAILABLE', 'failed'],
    ['a socket hang up', new Error('socket hang up'), 'S3_UNAVAILABLE', 'failed'],
    ['a 503', sdkError('SlowDown', 503), 'S3_UNAVAILABLE', 'failed'],
    ['a missing bucket', sdkError('NoSuchBucket', 404), 'S3_BUCKET_MISSING', 'input'],
    ['a missing key', sdkError('NoSuchKey', 404), 'S3_OBJECT_MISSING', 'failed'],
    ['a HEAD 404', sdkError('Unknown', 404), 'S3_OBJECT_MISSING', 'failed'],
    ['a bad signature', sdkError('SignatureDoesNotMatch', 403), 'S3_ACCESS_DENIED', 'input'],
    ['a bare 403', sdkError('Unknown', 403), 'S3_ACCESS_DENIED', 'input'],
    ['anything else', sdkError('InvalidRequest', 400), 'S3_FAILED', 'failed'],
  ])('%s is %s', (_what, error, code, category) => {
    const e = classify(error);
    expect(e).toMatchObject({ code, category });
    expect(e.cause).toBe(error);
    expect(e.details).toMatchObject({
      action: 'put',
      target: 's3://b/k',
      endpoint: 'http://s3.local',
    });
  });

  it('says what failed where, with the secret redacted', () => {
    expect(classify(new Error('socket hang up SECRET-ACCESS-KEY-1234')).message).toBe(
      'S3 put of s3://b/k failed: the server at http://s3.local is unavailable (socket hang up [REDACTED])',
    );
    expect(classify(sdkError('NoSuchBucket', 404, 'gone')).message).toBe(
      'S3 put: s3://b/k does not exist (gone)',
    );
    expect(classify(sdkError('Unknown', 403)).message).toBe(
      'S3 put of s3://b/k was denied (Unknown)',
    );
    expect(
      classify(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 403 } })).message,
    ).toBe('S3 put of s3://b/k was denied (Error)');
    expect(classify(sdkError('InvalidRequest', 400, 'bad')).message).toBe(
      'S3 put of s3://b/k failed: bad',
    );
    expect(classify(sdkError('NoSuchBucket', 404)).hint).toMatch(/backup.bucket/);
  });

  it('passes a DroverError through unchanged', () => {
    const own = new DroverError('failed', 'S3_BACKUP_MISMATCH', 'read back other bytes');
    expect(classify(own)).toBe(own);
  });
});
