/** Turns a failed talosctl run into a DroverError: redacted stderr, TALOS_UNREACHABLE (retryable) when the network dropped. */
import type { CodeIn } from '../../core/error-codes.js';
import { DroverError } from '../../core/errors.js';

/** gRPC/dial failures that a later retry may not see (node rebooting, apid restarting). */
const TRANSIENT = [
  /code = Unavailable/,
  /code = DeadlineExceeded/,
  /connection refused/,
  /connection reset by peer/,
  /no route to host/,
  /i\/o timeout/,
  /transport is closing/,
  /error reading from server: EOF/,
  /\bEOF\b/,
  /unavailable, retrying/,
];

const UNREACHABLE = [
  /connection refused/,
  /no route to host/,
  /i\/o timeout/,
  /code = Unavailable/,
  /code = DeadlineExceeded/,
  /network is unreachable/,
  /context deadline exceeded/,
];

const ETCD_NO_LEADER = /etcdserver: no leader/;

/** TLS/x509 failures travel as `code = Unavailable` too, but a retry will not fix them. */
const NOT_TRANSIENT = [/x509: /, /tls: /, /certificate required/];

export function isTransientTalosError(stderr: string): boolean {
  if (NOT_TRANSIENT.some((p) => p.test(stderr))) return false;
  return TRANSIENT.some((p) => p.test(stderr));
}

export function looksUnreachable(stderr: string): boolean {
  if (NOT_TRANSIENT.some((p) => p.test(stderr))) return false;
  return UNREACHABLE.some((p) => p.test(stderr));
}

/**
 * An mTLS call answered with a certificate our talosconfig does not trust: a fresh VM in
 * maintenance mode (self-signed) or a Talos of another PKI. Never retried blindly.
 */
export const X509_HINT =
  'the address answered with a certificate this talosconfig does not trust: a fresh VM still in maintenance mode, or a Talos of another cluster; probe it before anything else';

/**
 * `code` names the call that failed; a network drop (the node rebooting, apid restarting) is
 * TALOS_UNREACHABLE instead, the one a retry may get past.
 */
export function talosctlError(
  code: CodeIn<'failed'>,
  what: string,
  exitCode: number,
  stderr: string,
  hint: string,
  extra: Record<string, unknown> = {},
): DroverError {
  // etcd mid-election (etcd server/etcdserver/errors: ErrNoLeader, "etcdserver: no leader",
  // relayed by Talos as gRPC Unknown): nothing was applied, a later try meets the new leader.
  if (ETCD_NO_LEADER.test(stderr))
    return talosctlErrorAs('TALOS_ETCD_NO_LEADER', what, exitCode, stderr, hint, extra);
  const dropped = isTransientTalosError(stderr);
  return talosctlErrorAs(dropped ? 'TALOS_UNREACHABLE' : code, what, exitCode, stderr, hint, extra);
}

/** As talosctlError, with exactly `code`: for callers that already told a drop from a refusal. */
export function talosctlErrorAs(
  code: CodeIn<'failed'>,
  what: string,
  exitCode: number,
  stderr: string,
  hint: string,
  extra: Record<string, unknown> = {},
): DroverError {
  const x509 = /x509: /.test(stderr);
  return new DroverError(
    'failed',
    code,
    `talosctl ${what} exited ${exitCode}: ${firstLines(stderr)}`,
    {
      hint: x509 ? X509_HINT : hint,
      details: { exitCode, ...extra },
    },
  );
}

/** The error without talosctl's usage text, which follows flag/argument errors. */
export function firstLines(stderr: string, max = 6): string {
  const lines = stderr.trim().split('\n');
  const usage = lines.findIndex((l) => /^Usage:/.test(l));
  const kept = (usage >= 0 ? lines.slice(0, usage) : lines).filter((l) => l.trim() !== '');
  const text = kept.slice(0, max).join(' ').replace(/\s+/g, ' ').trim();
  return text.length > 600 ? `${text.slice(0, 600)}…` : text || '(no output)';
}
