import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RookCephStorage } from '../../adapters/storage/rook-ceph-storage.js';
import { Redactor } from '../../core/redact.js';
import type { StateBackupPort } from '../../ports/state-backup.js';
import { machineConfigSecrets, writeConfig } from '../../../test/upgrade/harness.js';
import { loadConfig } from '../config/load-config.js';
import type { LoadedConfig } from '../config/load-config.js';
import { MirroredJournal } from './mirrored-journal.js';
import { prefixed } from './build-journal-backup.js';
import { buildPorts, kubeconfigPathOf, registerSecrets, secretEnvNames } from './build-ports.js';

let dir: string;
let loaded: LoadedConfig;
const quiet = { event: () => undefined };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drover-ports-'));
  writeConfig(dir);
  loaded = await loadConfig(join(dir, 'drover.yaml'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('secrets first', () => {
  it('names the credentials and every machine-config variable of the config', () => {
    expect(secretEnvNames(loaded)).toEqual(
      expect.arrayContaining([
        'AWS_SECRET_ACCESS_KEY',
        'AWS_SESSION_TOKEN',
        'SOPS_AGE_KEY',
        'TALOS_WORKER_CONFIG_B64',
        'TALOS_CONTROLPLANE_CONFIG_B64',
      ]),
    );
  });

  it('registers their values and decoded forms; masks them under Actions', () => {
    const { env } = machineConfigSecrets();
    const redactor = new Redactor();
    let written = '';
    const names = registerSecrets(loaded, { ...env, GITHUB_ACTIONS: 'true' }, redactor, (t) => {
      written += t;
    });
    expect(names).toContain('TALOS_WORKER_CONFIG_B64');
    expect(redactor.redact(`key ${env.AWS_SECRET_ACCESS_KEY}`)).toBe('key [REDACTED]');
    expect(redactor.redact('token: wk-token-4f1c9e0b7a2d4c6e')).not.toContain('wk-token');
    expect(written).toContain(`::add-mask::${env.AWS_SECRET_ACCESS_KEY}`);
  });
});

describe('buildPorts', () => {
  const env = { ...machineConfigSecrets().env, KUBECONFIG: '/env/kubeconfig' };

  it.each([
    [{ kubeconfig: '/flag/kc' }, '/flag/kc'],
    [{}, '/env/kubeconfig'],
  ])('kubeconfig: flag, then config, then KUBECONFIG (%o)', (flags, expected) => {
    expect(kubeconfigPathOf(loaded, flags, env)).toBe(expected);
    const withConfig = { ...loaded, paths: { ...loaded.paths, kubeconfig: '/config/kc' } };
    expect(kubeconfigPathOf(withConfig, flags, env)).toBe(
      'kubeconfig' in flags ? '/flag/kc' : '/config/kc',
    );
  });

  it('wires the config: --journal beats it, S3 journal mirrored, Ceph storage for OSD nodes', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]',
        'users: [{ name: u, user: { token: not-a-real-token-000 } }]',
        'contexts: [{ name: x, context: { cluster: c, user: u } }]',
        'current-context: x',
      ].join('\n'),
    );
    const built = buildPorts({
      loaded,
      flags: { journal: join(dir, 'flag.jsonl'), kubeconfig },
      env,
      redactor: new Redactor(),
      reporter: quiet,
    });
    expect(built.journalFile).toBe(join(dir, 'flag.jsonl'));
    expect(built.ports.journal).toBeInstanceOf(MirroredJournal);
    expect(built.ports.storage).toBeInstanceOf(RookCephStorage);
    await built.dispose();
  });
});

describe('state backups live under the configured prefix', () => {
  it('prefixes put and get alike, so the read-back finds what was written', async () => {
    const keys: string[] = [];
    const inner: StateBackupPort = {
      put: async (key, bytes) => {
        keys.push(key);
        return { key, sha256: 'x', size: bytes.byteLength };
      },
      get: async (key) => {
        keys.push(key);
        return new Uint8Array();
      },
    };
    const backup = prefixed('drover/', inner);
    await backup.put('prox-ops/t-k8s-work-1.tfstate', new Uint8Array([1]));
    await backup.get('prox-ops/t-k8s-work-1.tfstate');
    expect(keys).toEqual([
      'drover/prox-ops/t-k8s-work-1.tfstate',
      'drover/prox-ops/t-k8s-work-1.tfstate',
    ]);
  });
});
