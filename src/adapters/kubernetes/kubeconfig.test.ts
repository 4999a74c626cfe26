import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../core/redact.js';
import { defaultKubeconfigSource, loadKubeConfig, loadKubeConfigWithOrigin } from './kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'drover-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const yaml = `apiVersion: v1
kind: Config
clusters:
  - name: prod
    cluster: { server: 'https://10.0.0.10:6443', insecure-skip-tls-verify: true }
  - name: lab
    cluster: { server: 'https://10.0.1.10:6443', insecure-skip-tls-verify: true }
users:
  - name: admin
    user: { token: s3cr3t-token-value-123 }
contexts:
  - name: prod
    context: { cluster: prod, user: admin }
  - name: lab
    context: { cluster: lab, user: admin }
current-context: prod
`;

describe('loadKubeConfig', () => {
  it('reads --kubeconfig, picks the context and registers credentials for redaction', () => {
    const file = join(dir, 'config');
    writeFileSync(file, yaml);
    const redactor = new Redactor();
    expect(loadKubeConfig({ kubeconfigPath: file }, redactor).getCurrentCluster()?.server).toBe(
      'https://10.0.0.10:6443',
    );
    expect(
      loadKubeConfig({ kubeconfigPath: file, context: 'lab' }).getCurrentCluster()?.server,
    ).toBe('https://10.0.1.10:6443');
    expect(redactor.redact('Authorization: Bearer s3cr3t-token-value-123')).toBe(
      'Authorization: Bearer [REDACTED]',
    );
  });

  it('names the missing context and lists the known ones', () => {
    expect(() => loadKubeConfig({ kubeconfigYaml: yaml, context: 'staging' })).toThrow(
      expect.objectContaining({
        code: 'KUBECONFIG_CONTEXT',
        category: 'input',
        hint: 'Known contexts: prod, lab.',
      }) as unknown as Error,
    );
  });

  it('reports a missing or unparsable kubeconfig as an input error naming the file', () => {
    const missing = join(dir, 'missing');
    expect(() => loadKubeConfig({ kubeconfigPath: missing })).toThrow(
      expect.objectContaining({
        code: 'KUBECONFIG_MISSING',
        category: 'input',
        message: `The kubeconfig ${missing} does not exist`,
      }) as unknown as Error,
    );
    const garbage = join(dir, 'garbage');
    writeFileSync(garbage, 'clusters: [unclosed\n  - {');
    expect(() => loadKubeConfig({ kubeconfigPath: garbage })).toThrow(
      expect.objectContaining({
        code: 'KUBECONFIG_INVALID',
        category: 'input',
        message: expect.stringContaining(garbage) as unknown as string,
      }) as unknown as Error,
    );
  });

  it('finds no default kubeconfig where client-node would silently use localhost:8080', () => {
    expect(defaultKubeconfigSource({}, join(dir, 'no-home'))).toBeUndefined();
    expect(defaultKubeconfigSource({ KUBECONFIG: '/a:/b' }, dir)).toBe('KUBECONFIG (/a:/b)');
  });

  it('names the server and the kubeconfig it came from', () => {
    const file = join(dir, 'config');
    writeFileSync(file, yaml);
    expect(loadKubeConfigWithOrigin({ kubeconfigPath: file, context: 'lab' }).origin).toEqual({
      kubeconfig: file,
      server: 'https://10.0.1.10:6443',
    });
  });
});
