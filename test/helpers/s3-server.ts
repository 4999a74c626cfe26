/**
 * An S3-compatible server on loopback for the S3 adapter tests: s3rver on 127.0.0.1, port 0
 * (the OS picks a free one), storing in a fresh temp dir that is removed on stop.
 * s3rver accepts any credentials with a valid signature shape and ignores conditional-write
 * headers (If-Match on PUT); see docs/adapters.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

export interface S3TestServer {
  endpoint: string;
  port: number;
  bucket: string;
  /** Where s3rver keeps objects: tests may tamper with them behind the server's back. */
  directory: string;
  /** Credentials the tests put in the injected environment (s3rver's documented pair). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3Server(bucket = 'drover-state'): Promise<S3TestServer> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const directory = await mkdtemp(join(tmpdir(), 'drover-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    bucket,
    directory,
    env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
