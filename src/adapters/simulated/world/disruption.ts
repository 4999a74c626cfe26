/**
 * The disruption controller: every PDB's currentHealthy, desiredHealthy, expectedPods,
 * disruptionsAllowed and disruptedPods, as kube-controller-manager computes them.
 */
import { selectorMatches, type LabelSelectorObject } from '../kube/http/label-selector.js';
import { podReady } from '../kube/pods.js';
import { iso, type KubeObject } from '../kube/store.js';
import { R } from './objects.js';
import { controller } from './pod-helpers.js';
import type { World } from './world.js';

/** disruptedPods entries the disruption controller forgets after this long. */
const DISRUPTED_TIMEOUT_MS = 120_000;

function scaled(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const pct = Number.parseInt(value, 10) / 100;
  return roundUp ? Math.ceil(pct * total) : Math.floor(pct * total);
}

/** The disruption controller: currentHealthy, desiredHealthy, disruptionsAllowed, disruptedPods. */
export function reconcilePdbs(world: World): void {
  const touched = namespacesChanged(world);
  for (const pdb of world.store.listView(R.pdbs)) {
    const ns = pdb.metadata.namespace ?? '';
    // Only pods and controllers of its namespace count; disruptedPods entries expire with time.
    const expiring = Object.keys((pdb.status?.disruptedPods ?? {}) as object).length > 0;
    if (!world.changes.full && !touched.has(ns) && !expiring) continue;
    writePdbStatus(world, pdb, pdbStatus(world, pdb, ns));
  }
}

type PdbStatus = ReturnType<typeof pdbStatus>;

/** The status the disruption controller computes for `pdb` now. */
function pdbStatus(world: World, pdb: KubeObject, ns: string) {
  const spec = pdb.spec ?? {};
  const matching = world.pods
    .inNamespace(ns)
    .filter((p) =>
      selectorMatches(spec.selector as LabelSelectorObject | undefined, p.metadata.labels),
    );
  const disrupted = stillDisrupted(world, pdb, matching);
  const expected = expectedPods(world, ns, matching);
  const healthy = matching.filter(
    (p) => podReady(p) && !p.metadata.deletionTimestamp && !(p.metadata.name in disrupted),
  ).length;
  const desired =
    spec.minAvailable !== undefined
      ? scaled(spec.minAvailable as number | string, expected, true)
      : Math.max(
          0,
          expected - scaled((spec.maxUnavailable ?? 0) as number | string, expected, true),
        );
  const blocked = world.hasFault(
    'pdb-blocks',
    (f) => f.type === 'pdb-blocks' && f.namespace === ns && f.name === pdb.metadata.name,
  );
  const allowed = blocked ? 0 : Math.max(0, healthy - desired);
  return {
    observedGeneration: pdb.metadata.generation ?? 1,
    disruptionsAllowed: allowed,
    currentHealthy: healthy,
    desiredHealthy: desired,
    expectedPods: expected,
    ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
    conditions: [
      {
        type: 'DisruptionAllowed',
        status: allowed > 0 ? 'True' : 'False',
        reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
        observedGeneration: pdb.metadata.generation ?? 1,
      },
    ],
  };
}

/** The disruptedPods entries that still hold: the pod is there, not deleted, not timed out. */
function stillDisrupted(
  world: World,
  pdb: KubeObject,
  matching: readonly KubeObject[],
): Record<string, string> {
  const status = (pdb.status ?? {}) as { disruptedPods?: Record<string, string> };
  const disrupted: Record<string, string> = {};
  for (const [pod, at] of Object.entries(status.disruptedPods ?? {})) {
    const p = matching.find((m) => m.metadata.name === pod);
    if (p && !p.metadata.deletionTimestamp && world.now - Date.parse(at) < DISRUPTED_TIMEOUT_MS)
      disrupted[pod] = at;
  }
  return disrupted;
}

/** Writes `next` when it differs (times aside); the condition keeps its time unless it flipped. */
function writePdbStatus(world: World, pdb: KubeObject, next: PdbStatus): void {
  const prev = { ...(pdb.status ?? {}) } as Record<string, unknown>;
  if (JSON.stringify(stripTimes(prev)) === JSON.stringify(stripTimes(next))) return;
  const cond = next.conditions[0] as Record<string, unknown>;
  const prevCond = (Array.isArray(prev.conditions) ? prev.conditions[0] : undefined) as
    Record<string, unknown> | undefined;
  cond.lastTransitionTime =
    prevCond && prevCond.status === cond.status ? prevCond.lastTransitionTime : iso(world.now);
  world.store.update(R.pdbs, { ...pdb, status: next });
}

/** Namespaces in which a pod, PDB or controller was written before this pass. */
function namespacesChanged(world: World): Set<string> {
  const out = new Set<string>();
  for (const key of world.changes.pods) out.add(key.slice(0, key.indexOf('/')));
  for (const key of world.changes.objects) {
    const object = key.slice(key.indexOf('|') + 1);
    out.add(object.slice(0, object.indexOf('/')));
  }
  return out;
}

function stripTimes(status: Record<string, unknown>): Record<string, unknown> {
  const conditions = Array.isArray(status.conditions)
    ? status.conditions.map((c: Record<string, unknown>) => {
        const { lastTransitionTime: _t, ...rest } = c;
        return rest;
      })
    : status.conditions;
  return { ...status, conditions };
}

/** The scale of the controllers owning the matching pods (as the disruption controller finds it). */
function expectedPods(world: World, namespace: string, pods: readonly KubeObject[]): number {
  const seen = new Set<string>();
  let total = 0;
  for (const p of pods) {
    const ref = controller(p);
    if (!ref || seen.has(`${ref.kind}/${ref.name}`)) continue;
    seen.add(`${ref.kind}/${ref.name}`);
    const resource =
      ref.kind === 'ReplicaSet'
        ? R.replicasets
        : ref.kind === 'StatefulSet'
          ? R.statefulsets
          : undefined;
    const owner = resource ? world.store.getView(resource, namespace, ref.name) : undefined;
    total += Number(owner?.spec?.replicas ?? 0);
  }
  return total;
}
