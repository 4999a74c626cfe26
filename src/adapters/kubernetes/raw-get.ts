/**
 * A GET for paths the generated APIs do not cover by plural (core resources named by a custom
 * gate). Uses the KubeConfig's TLS and auth options on node:http(s); failures are shaped like
 * client-node's ApiException (`code`, raw `body`, `headers`) so error handling stays in one place.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export async function rawGet(kc: KubeConfig, path: string): Promise<Record<string, unknown>> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No currently active cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  const options: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) {
          try {
            resolve(JSON.parse(body) as Record<string, unknown>);
          } catch (error) {
            reject(error);
          }
        } else
          reject(Object.assign(new Error(`HTTP ${code}`), { code, body, headers: res.headers }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
