/**
 * What `drover diagnose` gathers after a failed upgrade, each read on its own: one that fails
 * is recorded as unknown with its error (never as healthy), and the others still run.
 */
import type { JournalEntry } from '../../ports/journal.js';
import type { KubernetesPort } from '../../ports/kubernetes.js';
import type { TalosPort } from '../../ports/talos.js';

export type Section<T> = { ok: true; data: T } | { ok: false; error: string };

export interface DiagnoseBundle {
  collectedAt: string;
  cluster: string;
  nodes: Section<Awaited<ReturnType<KubernetesPort['listNodes']>>>;
  problemPods: Section<Awaited<ReturnType<KubernetesPort['problemPods']>>>;
  ceph: Section<Awaited<ReturnType<KubernetesPort['cephHealth']>> | null>;
  etcdMembers: Section<Awaited<ReturnType<TalosPort['etcdMembers']>>>;
  etcdStatus: Section<Awaited<ReturnType<TalosPort['etcdStatus']>>>;
  /** The journal's last entries (the run's end and what led to it). */
  journalTail: Section<JournalEntry[]>;
  /** The upgrade report, as the run wrote it. */
  report: Section<unknown> | { ok: false; error: 'not given' };
}

export interface CollectInput {
  cluster: string;
  kubernetes: Pick<KubernetesPort, 'listNodes' | 'problemPods' | 'cephHealth'>;
  talos: Pick<TalosPort, 'etcdMembers' | 'etcdStatus'>;
  /** Control plane node addresses, in order of preference for etcd reads. */
  controlPlane: string[];
  readJournal?: () => Promise<JournalEntry[]>;
  readReport?: () => Promise<unknown>;
  now: () => number;
  tail?: number;
}

async function section<T>(read: () => Promise<T>): Promise<Section<T>> {
  try {
    return { ok: true, data: await read() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** etcd members through the first control plane node that answers. */
async function etcdMembersVia(talos: CollectInput['talos'], nodes: string[]) {
  const errors: string[] = [];
  for (const node of nodes) {
    try {
      return await talos.etcdMembers(node);
    } catch (error) {
      errors.push(`${node}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(errors.join('; ') || 'no control plane node to ask');
}

export async function collectDiagnosis(input: CollectInput): Promise<DiagnoseBundle> {
  const tail = input.tail ?? 50;
  return {
    collectedAt: new Date(input.now()).toISOString(),
    cluster: input.cluster,
    nodes: await section(() => input.kubernetes.listNodes()),
    problemPods: await section(() => input.kubernetes.problemPods()),
    ceph: await section(async () => (await input.kubernetes.cephHealth()) ?? null),
    etcdMembers: await section(() => etcdMembersVia(input.talos, input.controlPlane)),
    etcdStatus: await section(() => input.talos.etcdStatus(input.controlPlane)),
    journalTail: input.readJournal
      ? await section(async () => (await input.readJournal!()).slice(-tail))
      : { ok: false, error: 'no journal given' },
    report: input.readReport ? await section(input.readReport) : { ok: false, error: 'not given' },
  };
}

export function diagnosisSummary(bundle: DiagnoseBundle): string {
  const lines = [`## Drover diagnosis: ${bundle.cluster} (${bundle.collectedAt})`, ''];
  const unknown = (name: string, s: { ok: false; error: string }) =>
    lines.push(`- ${name}: **unknown** (${s.error})`);
  if (bundle.nodes.ok) {
    const notReady = bundle.nodes.data.filter((n) => n.ready !== 'True').map((n) => n.name);
    const cordoned = bundle.nodes.data.filter((n) => n.unschedulable).map((n) => n.name);
    lines.push(
      `- nodes: ${bundle.nodes.data.length}; not Ready: ${notReady.join(', ') || 'none'}; cordoned: ${cordoned.join(', ') || 'none'}`,
    );
  } else unknown('nodes', bundle.nodes);
  if (bundle.problemPods.ok)
    lines.push(
      `- pods not running or not ready: ${bundle.problemPods.data.map((p) => `${p.namespace}/${p.name}`).join(', ') || 'none'}`,
    );
  else unknown('pods', bundle.problemPods);
  if (bundle.ceph.ok)
    lines.push(`- Ceph: ${bundle.ceph.data ? JSON.stringify(bundle.ceph.data) : 'not present'}`);
  else unknown('Ceph', bundle.ceph);
  if (bundle.etcdMembers.ok)
    lines.push(`- etcd members: ${bundle.etcdMembers.data.map((m) => m.hostname).join(', ')}`);
  else unknown('etcd members', bundle.etcdMembers);
  if (bundle.etcdStatus.ok) {
    const unhealthy = bundle.etcdStatus.data.filter((s) => !s.healthy).map((s) => s.node);
    lines.push(`- etcd unhealthy: ${unhealthy.join(', ') || 'none'}`);
  } else unknown('etcd status', bundle.etcdStatus);
  if (bundle.journalTail.ok) {
    const last = bundle.journalTail.data[bundle.journalTail.data.length - 1];
    lines.push(
      `- journal: last entry ${last ? `${last.type} ${last.stepId ?? ''} ${last.outcome ?? ''}`.trim() : 'none'}`,
    );
  } else unknown('journal', bundle.journalTail);
  return `${lines.join('\n')}\n`;
}
