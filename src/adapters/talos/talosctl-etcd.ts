/**
 * etcd through talosctl: members and status come only as text tables, and status of several
 * nodes reports per-node failures as a `WARNING:` list (docs/adapters.md, "Multi-node replies").
 */
import { DroverError } from '../../core/errors.js';
import type { EtcdMember, EtcdMemberStatus } from '../../ports/talos.js';
import { parseMultiNodeErrors } from './multi-node-errors.js';
import { talosctlError } from './talos-errors.js';
import type { TalosctlRunner } from './talosctl-runner.js';
import { parseTextTable } from './text-table.js';

const MEMBER_ID = /^[0-9a-f]{16}$/;

export async function etcdMembers(talosctl: TalosctlRunner, node: string): Promise<EtcdMember[]> {
  const result = await talosctl.run(
    ['etcd', 'members', ...talosctl.target(node)],
    talosctl.timeouts.callMs,
  );
  if (result.exitCode !== 0) {
    throw talosctlError(
      'TALOS_ETCD_MEMBERS_FAILED',
      'etcd members',
      result.exitCode,
      result.stderr,
      'query another healthy control plane node',
    );
  }
  const { columns, rows } = parseTextTable(result.stdout);
  requireColumns(columns, ['ID', 'HOSTNAME', 'LEARNER'], 'etcd members');
  return rows.map((row) => {
    const id = row.ID ?? '';
    if (!MEMBER_ID.test(id))
      throw unexpected('etcd members', `member id ${JSON.stringify(id)} is not 16 hex digits`);
    return { id, hostname: row.HOSTNAME ?? '', learner: row.LEARNER === 'true' };
  });
}

export async function etcdStatus(
  talosctl: TalosctlRunner,
  nodes: string[],
): Promise<EtcdMemberStatus[]> {
  if (nodes.length === 0) return [];
  const result = await talosctl.run(
    ['etcd', 'status', ...talosctl.target(nodes.join(','))],
    talosctl.timeouts.callMs,
  );
  const errors = parseMultiNodeErrors(result.stderr, nodes);
  if (result.exitCode !== 0 && !nodes.every((n) => errors.byNode.has(n))) {
    // Not a per-node failure (bad talosconfig, unknown flag): the health is unknown, not "unhealthy".
    throw talosctlError(
      'TALOS_ETCD_STATUS_FAILED',
      'etcd status',
      result.exitCode,
      result.stderr,
      'check the talosconfig and the endpoints',
    );
  }
  const rows = result.exitCode === 0 ? parseTextTable(result.stdout) : { columns: [], rows: [] };
  if (result.exitCode === 0)
    requireColumns(rows.columns, ['NODE', 'MEMBER', 'ERRORS'], 'etcd status');
  return nodes.map((node): EtcdMemberStatus => {
    const row = rows.rows.find((r) => r.NODE === node);
    if (row) {
      const memberId = row.MEMBER ?? '';
      const rowError = row.ERRORS ?? '';
      const status: EtcdMemberStatus = {
        node,
        memberId,
        healthy: rowError === '' && MEMBER_ID.test(memberId),
      };
      if (rowError) status.error = rowError;
      if (row.LEADER && MEMBER_ID.test(row.LEADER)) status.leaderId = row.LEADER;
      return status;
    }
    return {
      node,
      memberId: '',
      healthy: false,
      error: errors.byNode.get(node) ?? 'no status row in the reply',
    };
  });
}

export async function etcdLeave(talosctl: TalosctlRunner, node: string): Promise<void> {
  const result = await talosctl.run(
    ['etcd', 'leave', ...talosctl.target(node)],
    talosctl.timeouts.callMs,
  );
  if (result.exitCode !== 0) {
    throw talosctlError(
      'TALOS_ETCD_LEAVE_FAILED',
      'etcd leave',
      result.exitCode,
      result.stderr,
      'if the node is unreachable, remove its member from a healthy control plane node instead (etcd remove-member)',
    );
  }
}

/**
 * `etcd forfeit-leadership` (cmd/talosctl/cmd/talos/etcd.go at v1.10.9 / v1.11.6: no arguments,
 * silent on success): the node, if it leads, hands leadership to another member; a follower
 * answers the same way, so it is safe to repeat.
 */
export async function etcdForfeitLeadership(talosctl: TalosctlRunner, node: string): Promise<void> {
  const result = await talosctl.run(
    ['etcd', 'forfeit-leadership', ...talosctl.target(node)],
    talosctl.timeouts.callMs,
  );
  if (result.exitCode !== 0) {
    throw talosctlError(
      'TALOS_ETCD_FORFEIT_FAILED',
      'etcd forfeit-leadership',
      result.exitCode,
      result.stderr,
      'the leader could not hand leadership on; check etcd health before its member leaves',
    );
  }
}

/** Idempotent: a member that is already gone (`member not found`) counts as removed. */
export async function etcdRemoveMember(
  talosctl: TalosctlRunner,
  viaNode: string,
  memberId: string,
): Promise<void> {
  if (!MEMBER_ID.test(memberId)) {
    throw new DroverError(
      'input',
      'TALOS_MEMBER_ID_INVALID',
      `etcd member id ${JSON.stringify(memberId)} is not 16 hex digits`,
      {
        hint: 'take the id from `talosctl etcd members`',
      },
    );
  }
  const result = await talosctl.run(
    ['etcd', 'remove-member', ...talosctl.target(viaNode), memberId],
    talosctl.timeouts.callMs,
  );
  if (result.exitCode === 0 || /member not found|code = NotFound/.test(result.stderr)) return;
  throw talosctlError(
    'TALOS_ETCD_REMOVE_FAILED',
    'etcd remove-member',
    result.exitCode,
    result.stderr,
    'run it through another healthy control plane node',
  );
}

function requireColumns(columns: string[], needed: string[], what: string): void {
  const missing = needed.filter((c) => !columns.includes(c));
  if (missing.length > 0)
    throw unexpected(
      what,
      `the table has no ${missing.join(', ')} column (header: ${columns.join(' | ') || 'none'})`,
    );
}

function unexpected(what: string, detail: string): DroverError {
  return new DroverError(
    'failed',
    'TALOS_OUTPUT_UNEXPECTED',
    `unexpected talosctl ${what} output: ${detail}`,
    {
      hint: 'check that the talosctl version is one Drover supports (1.10, 1.11)',
    },
  );
}
