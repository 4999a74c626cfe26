/** A kubeconfig for the fake server: one cluster, one context, a bearer token. */
export function fakeKubeconfigYaml(url: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: drover-fake',
    '    cluster:',
    `      server: ${url}`,
    // client-node refuses plain http unless TLS verification is declared skipped.
    '      insecure-skip-tls-verify: true',
    'users:',
    '  - name: drover-fake-admin',
    '    user:',
    `      token: ${token}`,
    'contexts:',
    '  - name: drover-fake',
    '    context:',
    '      cluster: drover-fake',
    '      user: drover-fake-admin',
    'current-context: drover-fake',
    '',
  ].join('\n');
}
