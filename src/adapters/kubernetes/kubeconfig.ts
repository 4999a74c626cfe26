/**
 * Where the adapter's KubeConfig comes from: inline YAML (the fake server), --kubeconfig, else
 * client-node's default order (KUBECONFIG, ~/.kube/config, in-cluster service account); then
 * the context asked for. Credentials found are registered with the Redactor.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { ApiOrigin } from './api-errors.js';
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';

export interface KubeconfigSource {
  kubeconfigPath?: string;
  kubeconfigYaml?: string;
  context?: string;
}

/** Where client-node's default loader looks, in its order; undefined when it would find nothing. */
export function defaultKubeconfigSource(
  env: Record<string, string | undefined> = process.env,
  home: string = homedir(),
): string | undefined {
  if (env.KUBECONFIG) return `KUBECONFIG (${env.KUBECONFIG})`;
  const file = join(home, '.kube', 'config');
  if (existsSync(file)) return file;
  if (existsSync(SERVICE_ACCOUNT_TOKEN)) return 'the in-cluster service account';
  // client-node would fall back to http://localhost:8080 with no credentials: never a cluster
  // anyone meant.
  return undefined;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeConfig(source: KubeconfigSource, redactor?: Redactor): KubeConfig {
  return loadKubeConfigWithOrigin(source, redactor).kc;
}

/** The KubeConfig and which cluster it names (for errors that must say where they went). */
export function loadKubeConfigWithOrigin(
  source: KubeconfigSource,
  redactor?: Redactor,
): { kc: KubeConfig; origin: ApiOrigin } {
  const from = sourceName(source);
  const kc = readKubeConfig(source, from);
  if (source.context !== undefined) useContext(kc, source.context, from);
  if (!kc.getCurrentCluster()) {
    throw new DroverError('input', 'KUBECONFIG_NO_CLUSTER', `No current cluster in ${from}`, {
      hint: 'Set current-context or pass --context.',
    });
  }
  for (const user of kc.users) {
    redactor?.add(user.token);
    redactor?.add(user.password);
    redactor?.add(user.keyData);
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server)
    throw new DroverError(
      'input',
      'KUBECONFIG_NO_CLUSTER',
      `The current cluster of ${from} has no server URL`,
      { hint: 'Set clusters[].cluster.server in the kubeconfig, or pick another --context.' },
    );
  return { kc, origin: { kubeconfig: from, server } };
}

/** How messages name where the kubeconfig comes from; KUBECONFIG_MISSING when nowhere. */
function sourceName(source: KubeconfigSource): string {
  if (source.kubeconfigYaml !== undefined) return 'inline kubeconfig';
  if (source.kubeconfigPath !== undefined) return source.kubeconfigPath;
  const fromDefault = defaultKubeconfigSource();
  if (fromDefault === undefined)
    throw new DroverError(
      'input',
      'KUBECONFIG_MISSING',
      `No kubeconfig: no --kubeconfig, no kubernetes.kubeconfig in the config, KUBECONFIG unset, no ${join(homedir(), '.kube', 'config')}, and not running in a cluster`,
      {
        hint: 'Pass --kubeconfig FILE, set KUBECONFIG, or set kubernetes.kubeconfig in drover.yaml.',
      },
    );
  return fromDefault;
}

/** Reads the kubeconfig; a missing file or one client-node cannot load is an input error. */
function readKubeConfig(source: KubeconfigSource, from: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (source.kubeconfigYaml !== undefined) kc.loadFromString(source.kubeconfigYaml);
    else if (source.kubeconfigPath !== undefined) {
      if (!existsSync(source.kubeconfigPath))
        throw new DroverError(
          'input',
          'KUBECONFIG_MISSING',
          `The kubeconfig ${source.kubeconfigPath} does not exist`,
          {
            hint: 'Pass --kubeconfig FILE, set KUBECONFIG or kubernetes.kubeconfig to an existing kubeconfig.',
          },
        );
      kc.loadFromFile(source.kubeconfigPath);
    } else kc.loadFromDefault();
  } catch (error) {
    if (error instanceof DroverError) throw error;
    throw new DroverError(
      'input',
      'KUBECONFIG_INVALID',
      `Cannot load ${from}: ${(error as Error).message}`,
      {
        cause: error,
        hint: 'Pass --kubeconfig FILE or set KUBECONFIG to a readable kubeconfig.',
      },
    );
  }
  return kc;
}

function useContext(kc: KubeConfig, context: string, from: string): void {
  if (!kc.getContextObject(context)) {
    throw new DroverError('input', 'KUBECONFIG_CONTEXT', `Context "${context}" is not in ${from}`, {
      hint: `Known contexts: ${kc.contexts.map((c) => c.name).join(', ') || 'none'}.`,
    });
  }
  kc.setCurrentContext(context);
}
