/** What the simulate use case takes and gives back (see run-simulate.ts). */
import type { UpgradeKind } from '../../core/plan.js';
import type { RouteAllowances } from '../../core/route.js';
import type { Selection } from '../../core/selection.js';
import type { Clock, Reporter, SilencePort } from '../../ports/index.js';
import type { ReleaseGateFlags } from '../config/release-gate-config.js';
import type { SimulateApi } from './simulate-ports.js';
import type { SimulateReport } from './simulate-report.js';

export interface SimulateOptions {
  scenarioFile?: string;
  kind?: UpgradeKind;
  /** `--to VERSION`: the target of the kind (Talos, or Kubernetes for kind kubernetes). */
  to?: string;
  /** Default: the scenario's `seed`, else 1. */
  seed?: number;
  journalFile?: string;
  worldFile?: string;
  resume: boolean;
  crashAfterSteps?: number;
  /** Simulated seconds the world lives on alone before this run starts (after a crash). */
  advanceSeconds?: number;
  /** --allow-downgrade, --allow-multi-hop, --allow-unknown: as route, plan and upgrade. */
  allow?: RouteAllowances;
  /** --release-list, --min-release-age: the release gate, as route, plan and upgrade apply it. */
  releaseGate?: ReleaseGateFlags;
  /** `--chaos SEED`: add a seeded random mix of faults with random triggers to the scenario. */
  chaosSeed?: number;
  /** Seconds of simulated time after which a run that has not finished counts as hung. */
  deadlineSeconds?: number;
  auditFile?: string;
  api: SimulateApi;
  signal?: AbortSignal;
  /** --nodes, --role, --limit, --phase, --canary (core/selection.ts). */
  selection?: Selection;
  /**
   * Alertmanager silences for the run, given the simulated clock (tests: the real adapter
   * against a loopback Alertmanager that keeps virtual time).
   */
  silences?: (clock: Clock) => SilencePort;
}

export interface SimulateIo {
  /** What the operator reads: warnings, the chaos mix. */
  stderr(text: string): void;
  reporter: Reporter & { flush(): Promise<void> };
  /**
   * Dies abruptly (the CLI: SIGKILL to itself). In-process it returns: the world is frozen and
   * runSimulate throws SimulatedCrash instead of finishing.
   */
  crash(): never | Promise<never> | void;
}

export interface SimulateResult {
  exitCode: number;
  report: SimulateReport;
}
