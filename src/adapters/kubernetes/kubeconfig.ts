/**
 * Where the adapter's KubeConfig comes from: inline YAML (the fake server), --kubeconfig, else
 * client-node's default order (KUBECONFIG, ~/.kube/config, in-cluster service account); then
 * the context asked for. Credentials found are registered with the Redactor.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';

export interface KubeconfigSource {
  kubeconfigPath?: string;
  kubeconfigYaml?: string;
  context?: string;
}

export function loadKubeConfig(source: KubeconfigSource, redactor?: Redactor): KubeConfig {
  const kc = new KubeConfig();
  const from =
    source.kubeconfigYaml !== undefined
      ? 'inline kubeconfig'
      : (source.kubeconfigPath ?? 'the default kubeconfig');
  try {
    if (source.kubeconfigYaml !== undefined) kc.loadFromString(source.kubeconfigYaml);
    else if (source.kubeconfigPath !== undefined) kc.loadFromFile(source.kubeconfigPath);
    else kc.loadFromDefault();
  } catch (error) {
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
  if (source.context !== undefined) {
    if (!kc.getContextObject(source.context)) {
      throw new DroverError(
        'input',
        'KUBECONFIG_CONTEXT',
        `Context "${source.context}" is not in ${from}`,
        {
          hint: `Known contexts: ${kc.contexts.map((c) => c.name).join(', ') || 'none'}.`,
        },
      );
    }
    kc.setCurrentContext(source.context);
  }
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
  return kc;
}
