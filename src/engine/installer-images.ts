/**
 * Before the first node: every installer image the run still has to install must exist in its
 * registry, and each node pulls the next one it needs while it is still in service.
 *
 * - Check: each pending `talos-upgrade` step's image (the node's own schematic and platform, every
 *   hop) is asked of the registry once. Missing: the run is refused (INSTALLER_IMAGE_MISSING,
 *   exit 3) naming the image and every node that needs it. Unanswered (network, TLS, 5xx, an
 *   auth the registry refused): refused too, with its own code (REGISTRY_UNREACHABLE): Drover
 *   cannot tell, and an upgrade that finds out on the first drained node has already taken it
 *   out of service. Nothing is cordoned before either.
 * - Cattle: each pending `rebuild-template` step's image too (the template's schematic, the
 *   platform of the nodes cloned from it, the hop's version): a fresh VM installs Talos from it
 *   when its machine config is applied in maintenance mode. Missing: refused naming the template
 *   (address, flavor, host) and the image, before any template is rebuilt and any node cordoned.
 * - Skipped (config `preflight.installerImages: skip`, or `--installer-images skip`): for a runner
 *   that cannot reach the registry (air-gapped, or a mirror only the nodes reach). Nothing is
 *   looked up; the report says so and why.
 * - Pre-pull: `talosctl image pull --namespace system` of each node's next image, on nodes at
 *   Talos >= 1.5 (the release that added `image pull`: siderolabs/talos 8017afb, 2023-07, absent
 *   from v1.4.8). A node below it, or a pull that fails, is a note: the upgrade pulls it itself.
 */
import { DroverError } from '../core/errors.js';
import { findNode } from '../core/inventory.js';
import type { Inventory } from '../core/inventory.js';
import { installerImage } from '../core/installer-image.js';
import { allSteps } from '../core/plan.js';
import type { PlanStep, StepOf } from '../core/plan.js';
import semver from 'semver';
import type { RunState } from './context.js';
import { isStepDone } from './journal-view.js';

/** The oldest Talos with `talosctl image pull` (cmd/talosctl/cmd/talos/image.go). */
export const IMAGE_PULL_SINCE = '1.5.0';

const PULL_CONCURRENCY = 4;

function pendingUpgrades(run: RunState): StepOf<'talos-upgrade'>[] {
  return allSteps(run.plan)
    .filter((s) => s.action === 'talos-upgrade')
    .filter((s) => s.node !== undefined && !isStepDone(run.entries, s.id));
}

/** Each image of `steps` (talos-upgrade steps) with the nodes that need it. */
export function installerImagesOf(steps: readonly PlanStep[]): Map<string, string[]> {
  const nodesByImage = new Map<string, string[]>();
  for (const s of steps) {
    if (s.action !== 'talos-upgrade' || !s.node) continue;
    const nodes = nodesByImage.get(s.params.image) ?? [];
    if (!nodes.includes(s.node)) nodes.push(s.node);
    nodesByImage.set(s.params.image, nodes);
  }
  return nodesByImage;
}

/** What a template rebuild step installs on the VMs cloned from it, with how to name it. */
function templateImageOf(
  step: PlanStep,
  inventory: Inventory,
): { image: string; subject: string } | undefined {
  if (step.action !== 'rebuild-template') return undefined;
  const { address, version } = step.params;
  const key = Object.keys(inventory.templates).find(
    (k) => inventory.templates[k]!.address === address,
  );
  if (key === undefined) return undefined;
  const spec = inventory.templates[key]!;
  // The platform is the clones' (a template serves one flavor on one host: all alike).
  const clone = inventory.nodes.find((n) => n.template === key);
  if (!clone) return undefined;
  return {
    image: installerImage(
      { name: address, platform: clone.platform, schematic: spec.schematic },
      version,
    ),
    subject: `template ${address} (${spec.flavor} on ${spec.host})`,
  };
}

/** Each image of the template rebuild steps of `steps`, with the templates that need it. */
export function templateImagesOf(
  steps: readonly PlanStep[],
  inventory: Inventory,
): Map<string, string[]> {
  const byImage = new Map<string, string[]>();
  for (const s of steps) {
    const found = templateImageOf(s, inventory);
    if (!found) continue;
    const subjects = byImage.get(found.image) ?? [];
    if (!subjects.includes(found.subject)) subjects.push(found.subject);
    byImage.set(found.image, subjects);
  }
  return byImage;
}

/** Every image `steps` install (in place or on a fresh VM), with what needs each. */
export function imagesToCheck(
  steps: readonly PlanStep[],
  inventory: Inventory,
): Map<string, string[]> {
  const all = installerImagesOf(steps);
  for (const [image, subjects] of templateImagesOf(steps, inventory))
    all.set(image, [...(all.get(image) ?? []), ...subjects]);
  return all;
}

export function imageMissingError(image: string, nodes: string[], status: number): DroverError {
  const templates = nodes.some((n) => n.startsWith('template '));
  return new DroverError(
    'refused',
    'INSTALLER_IMAGE_MISSING',
    `installer image ${image} of ${nodes.join(', ')} does not exist in its registry (HTTP ${status}): nothing was cordoned${templates ? ' and no template rebuilt' : ''}`,
    {
      hint: templates
        ? 'Check schematics.<flavor> (id, platform) in the config for these templates and that the Image Factory knows the schematic for this Talos version, then run again.'
        : 'Check the schematic and platform of these nodes in the config (nodes[].schematic, platform) and that the Image Factory knows the schematic for this Talos version, then run again.',
      details: { image, nodes },
    },
  );
}

/** The report's note when the check is switched off. */
export function imageCheckSkippedNote(reason: string, images: number): string {
  return `installer image check skipped (${reason}): ${images} image(s) not looked up; a missing one fails on its node or template instead of before the first cordon`;
}

/**
 * Throws the refusal; returns notes for the report. `skipped`: why the check is off (config
 * preflight.installerImages: skip), said in the report.
 */
export async function checkInstallerImages(run: RunState, skipped?: string): Promise<string[]> {
  const registry = run.ports.registry;
  const pending = allSteps(run.plan).filter((s) => !isStepDone(run.entries, s.id));
  const nodesByImage = imagesToCheck(
    [...pendingUpgrades(run), ...pending.filter((s) => s.action === 'rebuild-template')],
    run.inventory,
  );
  if (nodesByImage.size === 0) return [];
  if (skipped !== undefined) return [imageCheckSkippedNote(skipped, nodesByImage.size)];
  if (!registry) return [];
  for (const [image, nodes] of nodesByImage) {
    const answer = await registry.manifest(image, run.signal);
    run.audit({ operation: 'registry.manifest', inputs: { image, state: answer.state } });
    if (answer.state === 'missing') throw imageMissingError(image, nodes, answer.status);
    if (answer.state === 'unreachable')
      throw new DroverError(
        'refused',
        'REGISTRY_UNREACHABLE',
        `cannot tell whether installer image ${image} of ${nodes.join(', ')} exists: ${answer.reason}; nothing was cordoned`,
        {
          hint: 'Let the runner reach the registry (network, proxy: HTTPS_PROXY, DNS), then run again (--resume continues this run).',
          details: { image, nodes, reason: answer.reason },
        },
      );
  }
  return [`${nodesByImage.size} installer image(s) found in their registry before the first node`];
}

/** Pulls each node's next image onto it; never fails the run. */
export async function prePullInstallerImages(run: RunState): Promise<string[]> {
  const talos = run.ports.talos;
  if (!talos.pullImage) return [];
  let pulled = 0;
  const next = new Map<string, StepOf<'talos-upgrade'>>();
  for (const s of pendingUpgrades(run)) if (!next.has(s.node!)) next.set(s.node!, s);
  const pullOne = async (step: StepOf<'talos-upgrade'>): Promise<string | undefined> => {
    const node = findNode(run.inventory, step.node!);
    if (!node) return undefined;
    const image = step.params.image;
    const running = await talos.version(node.address).catch(() => undefined);
    if (running === undefined || semver.valid(running) === null)
      return `${node.name}: Talos version unknown, installer image not pre-pulled`;
    if (running === step.params.version) return undefined;
    if (semver.lt(running, IMAGE_PULL_SINCE))
      return `${node.name}: Talos ${running} has no image pull (>= ${IMAGE_PULL_SINCE}): the upgrade pulls ${image} itself`;
    try {
      run.audit({
        operation: 'talos.pullImage',
        node: node.name,
        inputs: { node: node.address, image },
      });
      await talos.pullImage!(node.address, image, run.signal);
      pulled++;
      return undefined;
    } catch (error) {
      return `${node.name}: pre-pull of ${image} failed (${error instanceof Error ? error.message : String(error)}): the upgrade pulls it itself`;
    }
  };
  // A few nodes at a time: the registry (and the runner's talosctl processes) are shared.
  const steps = [...next.values()];
  const notes: (string | undefined)[] = [];
  for (let i = 0; i < steps.length; i += PULL_CONCURRENCY)
    notes.push(...(await Promise.all(steps.slice(i, i + PULL_CONCURRENCY).map(pullOne))));
  return [
    ...(pulled > 0
      ? [`installer image pre-pulled on ${pulled} node(s) before the first cordon`]
      : []),
    ...notes.filter((n): n is string => n !== undefined),
  ];
}
