/**
 * StoragePort for Rook-Ceph: Ceph `noout` per CRUSH bucket while a node's OSDs are away, run
 * inside the Rook toolbox through kubectl (through the exec chokepoint):
 *   kubectl -n rook-ceph exec deploy/rook-ceph-tools -- ceph osd set-group noout <bucket>
 *   kubectl -n rook-ceph exec deploy/rook-ceph-tools -- ceph osd unset-group noout <bucket>
 *   kubectl -n rook-ceph exec deploy/rook-ceph-tools -- ceph osd dump -f json
 * The domain is a CRUSH bucket name (Rook names host buckets after the Kubernetes node; a
 * topology label such as topology.rook.io/chassis gives buckets named after its values).
 * RBAC the runner's kubeconfig needs in the Rook namespace: `get` deployments.apps (to resolve
 * deploy/…), `list` pods, `create` pods/exec.
 */
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import type { StoragePort } from '../../ports/storage.js';
import { exec, type ExecResult } from '../exec/exec.js';

export interface RookCephStorageOptions {
  binary?: string;
  namespace?: string;
  /** The toolbox deployment. */
  deployment?: string;
  kubeconfig?: string;
  context?: string;
  timeoutMs?: number;
  redactor: Redactor;
  env?: Record<string, string | undefined>;
}

const CRUSH_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export class RookCephStorage implements StoragePort {
  constructor(private readonly options: RookCephStorageOptions) {}

  async setNoout(domain: string, on: boolean): Promise<void> {
    if (!CRUSH_NAME.test(domain)) {
      throw new DroverError(
        'input',
        'CEPH_BUCKET_INVALID',
        `${JSON.stringify(domain)} is not a CRUSH bucket name`,
        {
          hint: 'storage failure domains must be CRUSH bucket names (letters, digits, _ . -)',
        },
      );
    }
    await this.ceph(['osd', on ? 'set-group' : 'unset-group', 'noout', domain]);
  }

  /** CRUSH buckets carrying a `noout` group flag (osd dump's crush_node_flags). */
  async nooutDomains(): Promise<string[]> {
    const result = await this.ceph(['osd', 'dump', '-f', 'json']);
    let dump: unknown;
    try {
      dump = JSON.parse(result.stdout);
    } catch (cause) {
      throw new DroverError(
        'failed',
        'CEPH_OUTPUT_UNEXPECTED',
        'ceph osd dump -f json did not print JSON',
        { cause, hint: 'check the toolbox image version' },
      );
    }
    const flags = (dump as { crush_node_flags?: unknown }).crush_node_flags;
    if (flags === undefined) return [];
    if (typeof flags !== 'object' || flags === null || Array.isArray(flags)) {
      throw new DroverError(
        'failed',
        'CEPH_OUTPUT_UNEXPECTED',
        'ceph osd dump: crush_node_flags is not an object',
        { hint: 'check the Ceph version (Nautilus or later)' },
      );
    }
    return Object.entries(flags as Record<string, unknown>)
      .filter(([, list]) => Array.isArray(list) && list.includes('noout'))
      .map(([bucket]) => bucket)
      .sort();
  }

  private async ceph(args: string[]): Promise<ExecResult> {
    const o = this.options;
    const global = [
      ...(o.kubeconfig ? ['--kubeconfig', o.kubeconfig] : []),
      ...(o.context ? ['--context', o.context] : []),
    ];
    const argv = [
      ...global,
      '-n',
      o.namespace ?? 'rook-ceph',
      'exec',
      `deploy/${o.deployment ?? 'rook-ceph-tools'}`,
      '--',
      'ceph',
      ...args,
    ];
    const result = await exec({
      file: o.binary ?? 'kubectl',
      args: argv,
      timeoutMs: o.timeoutMs ?? 60_000,
      redactor: o.redactor,
      env: o.env,
    });
    if (result.exitCode === 0) return result;
    throw cephExecError(args, result);
  }
}

/**
 * A failed `kubectl exec ... ceph`: the toolbox missing, RBAC refusing, the API server or pod
 * unreachable, or ceph itself failing.
 */
function cephExecError(args: readonly string[], result: ExecResult): DroverError {
  const said = result.stderr.trim().split('\n').slice(0, 3).join(' ');
  if (/NotFound/.test(said) && /deployments?/.test(said)) {
    return new DroverError(
      'input',
      'CEPH_TOOLBOX_MISSING',
      `the Rook toolbox deployment is not there: ${said}`,
      {
        hint: 'deploy the Rook toolbox (rook-ceph-tools) or set the storage namespace/deployment in the config',
      },
    );
  }
  if (/forbidden/i.test(said)) {
    return new DroverError(
      'input',
      'CEPH_RBAC_DENIED',
      `kubectl exec into the Rook toolbox was denied: ${said}`,
      {
        hint: 'grant get deployments.apps, list pods and create pods/exec in the Rook namespace',
      },
    );
  }
  const unreachable =
    /unable to upgrade connection|connection refused|i\/o timeout|error dialing backend|timed out/i.test(
      said,
    );
  return new DroverError(
    'failed',
    unreachable ? 'CEPH_UNAVAILABLE' : 'CEPH_COMMAND_FAILED',
    `ceph ${args.join(' ')} exited ${result.exitCode}: ${said || '(no output)'}`,
    {
      hint: 'check the Ceph cluster and the toolbox pod',
      details: { exitCode: result.exitCode },
    },
  );
}
