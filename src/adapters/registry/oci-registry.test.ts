/**
 * The installer image check against a loopback registry (test/helpers/oci-registry.ts) that
 * answers as the OCI distribution spec (end-3, HEAD on the manifest) and the registry token
 * spec (distribution/distribution docs/spec/auth/token.md) say.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLoopbackRegistry } from '../../../test/helpers/oci-registry.js';
import type { LoopbackRegistry } from '../../../test/helpers/oci-registry.js';
import { OciRegistry, parseBearerChallenge, parseImageReference } from './oci-registry.js';

const NAME = 'nocloud-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba';

let registry: LoopbackRegistry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

describe('OciRegistry', () => {
  it('parses references with a port, nested names, tags and digests', () => {
    expect(parseImageReference(`factory.talos.dev/${NAME}:v1.11.0`)).toEqual({
      host: 'factory.talos.dev',
      name: NAME,
      reference: 'v1.11.0',
    });
    expect(parseImageReference('127.0.0.1:5000/a/b:v1')).toEqual({
      host: '127.0.0.1:5000',
      name: 'a/b',
      reference: 'v1',
    });
    expect(parseImageReference('ghcr.io/x/y@sha256:abc')?.reference).toBe('sha256:abc');
    expect(parseImageReference('no-registry:v1')).toBeUndefined();
  });

  it('reads a Bearer challenge', () => {
    expect(
      parseBearerChallenge(
        'Bearer realm="https://a/token",service="reg",scope="repository:x:pull"',
      ),
    ).toEqual({ realm: 'https://a/token', service: 'reg', scope: 'repository:x:pull' });
    expect(parseBearerChallenge('Basic realm="x"')).toBeUndefined();
  });

  it('answers present for an image the registry holds and missing for one it does not', async () => {
    registry = await startLoopbackRegistry();
    registry.add(NAME, 'v1.11.0');
    const oci = new OciRegistry();
    expect(await oci.manifest(`${registry.host}/${NAME}:v1.11.0`)).toEqual({
      state: 'present',
      digest: `sha256:${'ab'.repeat(32)}`,
    });
    expect(await oci.manifest(`${registry.host}/${NAME}:v1.11.1`)).toEqual({
      state: 'missing',
      status: 404,
    });
    expect(registry.requests).toEqual([
      `HEAD /v2/${NAME}/manifests/v1.11.0`,
      `HEAD /v2/${NAME}/manifests/v1.11.1`,
    ]);
  });

  it('takes an anonymous token when challenged, then asks again with it', async () => {
    registry = await startLoopbackRegistry({ auth: 'token' });
    registry.add(NAME, 'v1.11.0');
    const result = await new OciRegistry().manifest(`${registry.host}/${NAME}:v1.11.0`);
    expect(result.state).toBe('present');
    expect(registry.requests).toEqual([
      `HEAD /v2/${NAME}/manifests/v1.11.0`,
      'GET /token',
      `HEAD /v2/${NAME}/manifests/v1.11.0`,
    ]);
  });

  it('says unreachable (never missing, never present) when the registry does not answer the question', async () => {
    registry = await startLoopbackRegistry({ status: 503 });
    const oci = new OciRegistry();
    expect(await oci.manifest(`${registry.host}/${NAME}:v1.11.0`)).toEqual({
      state: 'unreachable',
      reason: `${registry.host} answered HTTP 503`,
    });
    const closed = registry.host;
    await registry.close();
    registry = undefined;
    const down = await oci.manifest(`${closed}/${NAME}:v1.11.0`);
    expect(down).toMatchObject({
      state: 'unreachable',
      reason: expect.stringContaining('ECONNREFUSED'),
    });
  });
});
