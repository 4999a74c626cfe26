/** What a TalosctlAdapter is configured with, and the timeouts it falls back to. */
import type { Redactor } from '../../core/redact.js';
import type { UpgradeProgress } from './upgrade-progress.js';

export interface TalosctlTimeouts {
  /** Reads: version, etcd, get. */
  callMs: number;
  /** A probe of a possibly absent address: short. */
  probeMs: number;
  applyConfigMs: number;
  /** Extra time on top of the upgrade's own --timeout before we kill talosctl. */
  upgradeGraceMs: number;
  upgradeKubernetesMs: number;
}

export interface TalosctlAdapterOptions {
  binary?: string;
  /** --talosconfig; when absent talosctl reads $TALOSCONFIG (from `env` or the process). */
  talosconfig?: string;
  /** -e for calls that go through the cluster's endpoints; when absent, the talosconfig's. */
  endpoints?: string[];
  timeouts?: Partial<TalosctlTimeouts>;
  redactor: Redactor;
  env?: Record<string, string | undefined>;
  onProgress?: (event: UpgradeProgress) => void;
}

export const DEFAULT_TIMEOUTS: TalosctlTimeouts = {
  callMs: 60_000,
  probeMs: 15_000,
  applyConfigMs: 120_000,
  upgradeGraceMs: 60_000,
  upgradeKubernetesMs: 60 * 60_000,
};
