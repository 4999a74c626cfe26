/**
 * What an address answers, in two calls (docs/adapters.md, "Probe decision table"):
 *
 *  1. `get machinestatus --insecure -n A -e A -o json` (no client cert, no server verification)
 *     | answer                                          | result        |
 *     |-------------------------------------------------|---------------|
 *     | exit 0, JSON with spec.stage = "maintenance"    | maintenance   |
 *     | connection refused, no route, i/o timeout,      | unreachable   |
 *     |   Unavailable, DeadlineExceeded                 |               |
 *     | TLS rejection (certificate required, bad        | ask mTLS (2.) |
 *     |   certificate, handshake failure): a configured |               |
 *     |   apid wants a client certificate               |               |
 *     | exit 0 with another stage                       | ask mTLS (2.) |
 *     | anything else                                   | error         |
 *
 *  2. `version -n A -e A` with the cluster's talosconfig (mTLS)
 *     | answer                                          | result        |
 *     |-------------------------------------------------|---------------|
 *     | exit 0                                          | configured    |
 *     | x509: ... (certificate signed by unknown        | x509          |
 *     |   authority, or another verification failure)  |               |
 *     | unreachable texts as above                      | unreachable   |
 *     | anything else                                   | error         |
 *
 * Why this order: an mTLS call against a maintenance node also fails with `x509: certificate
 * signed by unknown authority` (its certificate is self-signed), so x509 alone cannot tell a
 * fresh VM from a foreign one. Asking insecurely first settles "maintenance"; an x509 answer to
 * the mTLS call *after* the insecure call was rejected means a configured Talos whose PKI is not
 * our cluster's answers at this address (an old VM still running, or an address clash): the
 * engine must stop, never apply a config there. "error" is never guessed into a state.
 */
import type { TalosProbeResult } from '../../ports/talos.js';
import { looksUnreachable } from './talos-errors.js';

export type InsecureDecision = 'maintenance' | 'unreachable' | 'ask-mtls' | 'error';

const TLS_REJECTED = [
  /certificate required/,
  /bad certificate/,
  /handshake failure/,
  /tls: .*client certificate/,
];

export const probeDecision = {
  insecure(exitCode: number, stdout: string, stderr: string): InsecureDecision {
    if (exitCode === 0) return firstStage(stdout) === 'maintenance' ? 'maintenance' : 'ask-mtls';
    if (TLS_REJECTED.some((p) => p.test(stderr))) return 'ask-mtls';
    if (looksUnreachable(stderr)) return 'unreachable';
    return 'error';
  },

  mtls(exitCode: number, stderr: string): TalosProbeResult | 'error' {
    if (exitCode === 0) return 'configured';
    if (/x509: /.test(stderr)) return 'x509';
    if (looksUnreachable(stderr)) return 'unreachable';
    return 'error';
  },
};

/** talosctl -o json prints concatenated objects, not an array: read the first one. */
export function firstStage(stdout: string): string | undefined {
  const objects = splitJsonObjects(stdout);
  const first = objects[0] as { spec?: { stage?: unknown } } | undefined;
  return typeof first?.spec?.stage === 'string' ? first.spec.stage : undefined;
}

/** Splits a stream of concatenated JSON objects (talos#6177) by brace depth, honouring strings. */
export function splitJsonObjects(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0 && start >= 0) {
        out.push(JSON.parse(text.slice(start, i + 1)));
        start = -1;
      }
    }
  }
  return out;
}
