/**
 * `talosctl upgrade-k8s` refuses when the cluster still uses what the target Kubernetes removes.
 * The error is siderolabs/go-kubernetes' ComponentRemovedItemsError (kubernetes/upgrade/checks.go,
 * v0.2.23 in talos v1.10.9, v0.2.26 in v1.11.6), printed once on stderr by talosctl's root
 * command: tabwriter tables (padding 3), each preceded by a blank line:
 *
 *   NODE        COMPONENT        REMOVED FEATURE GATE          (also REMOVED FLAG,
 *   10.0.0.11   kube-apiserver   PodDisruptionConditions        REMOVED ADMISSION PLUGIN)
 *
 *   REMOVED RESOURCE                             COUNT
 *   flowschemas.v1beta2.flowcontrol.apiserver.k8s.io   3
 *
 * Each item becomes one line of text a user can act on.
 */
import { DroverError } from '../../core/errors.js';
import { parseTextTable } from './text-table.js';

export interface RemovedItem {
  kind: 'resource' | 'flag' | 'feature-gate' | 'admission-plugin';
  value: string;
  node?: string;
  component?: string;
  count?: number;
  text: string;
}

const HEADERS: Record<string, RemovedItem['kind']> = {
  'REMOVED RESOURCE': 'resource',
  'REMOVED FLAG': 'flag',
  'REMOVED FEATURE GATE': 'feature-gate',
  'REMOVED ADMISSION PLUGIN': 'admission-plugin',
};

export function parseRemovedItems(stderr: string): RemovedItem[] {
  const items: RemovedItem[] = [];
  // Tables are separated by blank lines; each starts with its header.
  for (const block of stderr.split(/\n\s*\n/)) {
    const { columns, rows } = parseTextTable(block);
    const header = columns.find((c) => HEADERS[c] !== undefined);
    const kind = header === undefined ? undefined : HEADERS[header];
    if (header === undefined || kind === undefined) continue;
    for (const row of rows) {
      const value = row[header] ?? '';
      if (value === '') continue;
      if (kind === 'resource') {
        const count = Number(row.COUNT);
        items.push({ kind, value, count, text: `${count} ${value} object(s)` });
      } else {
        const node = row.NODE ?? '';
        const component = row.COMPONENT ?? '';
        const label = kind.replace('-', ' ');
        items.push({
          kind,
          value,
          node,
          component,
          text: `${label} ${value} on ${component} of ${node}`,
        });
      }
    }
  }
  return items;
}

/** The refusal: a user action (migrate, then run again), never "re-running is safe". */
export function removedItemsError(to: string, removed: RemovedItem[]): DroverError {
  return new DroverError(
    'refused',
    'TALOS_K8S_REMOVED_APIS',
    `talosctl upgrade-k8s refused: the cluster still uses what Kubernetes ${to} removes: ${removed.map((r) => r.text).join('; ')}`,
    {
      hint: 'a user action is needed: migrate the listed resources to API versions the target still serves (and drop removed flags, feature gates and admission plugins from the machine configs), then run again; re-running as is refuses again',
      details: { removed },
    },
  );
}
