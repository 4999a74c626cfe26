/**
 * What a run does once it holds the lock and before its first phase: journals run-started, then
 * readies the cluster-wide things the nodes rely on.
 */
import type { JournalEntry } from '../ports/journal.js';
import type { RunState } from './context.js';
import { checkInstallerImages, prePullInstallerImages } from './installer-images.js';
import { reportLeftoverNoout } from './noout-count.js';
import { checkStoragePools } from './storage-cap.js';
import { openRunExtras } from './run-extras.js';
import type { RunExtras } from './run-extras.js';
import type { RunUpgradeOptions } from './run-upgrade-options.js';

/** The durable run-started (redacted, with its binding and selection), and its event. */
export async function journalRunStarted(
  run: RunState,
  options: RunUpgradeOptions,
  prior: JournalEntry[],
  takeover: string | undefined,
): Promise<void> {
  const { plan, ports, redactor } = options;
  const resumed = options.resume && prior.some((e) => e.type === 'run-started');
  await ports.journal.append(
    redactor.redactValue({
      type: 'run-started',
      at: ports.clock.now(),
      runId: options.runId,
      kind: plan.kind,
      from: plan.from,
      to: plan.to,
      data: {
        resumed,
        holder: options.holderIdentity,
        cluster: plan.cluster,
        ...(options.binding ? { binding: options.binding } : {}),
        ...(takeover ? { takeover } : {}),
        // A selected run (core/selection.ts): a later full run starts afresh after it.
        ...(plan.selection
          ? {
              selection: {
                requested: plan.selection.requested,
                nodes: plan.selection.nodes,
                canary: plan.selection.canary,
              },
            }
          : {}),
      },
    }),
  );
  run.entries.push({
    type: 'run-started',
    at: ports.clock.now(),
    runId: options.runId,
    data: { resumed },
  });
  ports.reporter.event({
    type: 'run-started',
    at: ports.clock.now(),
    kind: plan.kind,
    from: plan.from,
    to: plan.to,
    cluster: plan.cluster,
    resumed,
  });
}

/**
 * Leftover noout flags reported, the silence and before-run hook opened (`extras`), installer
 * images found (refused otherwise) and pre-pulled. Notes go into `notes` as they arise, so a
 * throw part way keeps those already said.
 */
export async function prepareFirstNode(
  run: RunState,
  extras: RunExtras,
  installerImagesSkipped: string | undefined,
  notes: string[],
): Promise<void> {
  for (const note of await reportLeftoverNoout(run)) {
    notes.push(note);
    run.log('warn', note);
  }
  await openRunExtras(run, extras);
  // Before the first node: installer images exist (refused otherwise), then pre-pulled.
  for (const note of [
    // Ceph: a pool that tolerates nothing refuses before the first node; a capped policy is said.
    ...(await checkStoragePools(run)),
    ...(await checkInstallerImages(run, installerImagesSkipped)),
    ...(await prePullInstallerImages(run)),
  ]) {
    notes.push(note);
    run.log('info', note);
  }
}
