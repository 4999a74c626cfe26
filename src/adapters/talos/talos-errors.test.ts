import { describe, expect, it } from 'vitest';
import { talosctlError } from './talos-errors.js';
import { upgradeFailure } from './talosctl-upgrade.js';

// One code per situation: the code, not a details flag, says whether a retry may help.
describe('talosctl failures, by code', () => {
  it('a dropped connection is TALOS_UNREACHABLE (retryable) whatever was asked', () => {
    const stderr =
      'error getting status: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 10.0.0.21:50000: connect: connection refused"';
    const e = talosctlError('TALOS_ETCD_STATUS_FAILED', 'etcd status', 1, stderr, 'check it');
    expect(e).toMatchObject({ code: 'TALOS_UNREACHABLE', retryable: true, hint: 'check it' });
    expect(e.message).toMatch(/^talosctl etcd status exited 1: /);
  });

  it('etcd without a leader is TALOS_ETCD_NO_LEADER (retryable), as the twin raises it', () => {
    const stderr = 'error getting members: rpc error: code = Unknown desc = etcdserver: no leader';
    const e = talosctlError('TALOS_ETCD_MEMBERS_FAILED', 'etcd members', 1, stderr, 'check it');
    expect(e).toMatchObject({ code: 'TALOS_ETCD_NO_LEADER', retryable: true });
    const other = 'rpc error: code = Unknown desc = etcdserver: request timed out';
    expect(talosctlError('TALOS_ETCD_MEMBERS_FAILED', 'etcd members', 1, other, 'x')).toMatchObject(
      { code: 'TALOS_ETCD_MEMBERS_FAILED', retryable: false },
    );
  });

  it('a TLS failure is not a drop, though it travels as Unavailable: the call keeps its code', () => {
    const stderr =
      'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"';
    const e = talosctlError('TALOS_VERSION_FAILED', 'version', 1, stderr, 'check it');
    expect(e).toMatchObject({ code: 'TALOS_VERSION_FAILED', retryable: false });
    expect(e.hint).toMatch(/maintenance mode/);
  });

  it('an upgrade that ends on a drop no progress line names is a lost node, not a failure', () => {
    const lost = upgradeFailure(
      1,
      'error: read tcp 10.0.0.1:51234->10.0.0.21:50000: read: connection reset by peer',
      '10.0.0.21',
    );
    expect(lost).toMatchObject({ code: 'TALOS_UPGRADE_UNREACHABLE', retryable: true });
    const failed = upgradeFailure(1, 'error: unknown flag: --bogus', '10.0.0.21');
    expect(failed).toMatchObject({ code: 'TALOS_UPGRADE_FAILED', retryable: false });
  });
});
