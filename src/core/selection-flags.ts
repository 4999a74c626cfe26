/**
 * What a selection is (the flags `--nodes`, `--role`, `--limit`, `--phase`, `--canary`) and how it
 * is written back as flags. Applied by selection.ts.
 */
import type { NodeRole } from './inventory.js';

export const SELECTABLE_PHASES = ['templates', 'controlplane', 'workers'] as const;
export type SelectablePhase = (typeof SELECTABLE_PHASES)[number];

/** What the operator asked for (`--nodes`, `--role`, `--limit`, `--phase`, `--canary`). */
export interface Selection {
  nodes?: string[];
  role?: NodeRole;
  limit?: number;
  phases?: SelectablePhase[];
  canary?: number;
}

/** Recorded on a selected plan: what it keeps and what it leaves alone. */
export interface PlanSelection {
  requested: Selection;
  /** Nodes whose cycle the plan keeps, in plan order. */
  nodes: string[];
  /** Nodes of the inventory this run does not touch. */
  leftAlone: string[];
  /** Template addresses the plan rebuilds (cattle). */
  templates: string[];
  canary: boolean;
}

export function hasSelection(s: Selection): boolean {
  return (
    (s.nodes?.length ?? 0) > 0 ||
    s.role !== undefined ||
    s.limit !== undefined ||
    (s.phases?.length ?? 0) > 0 ||
    s.canary !== undefined
  );
}

/** The flags as the operator typed them, for messages and notes. */
export function selectionFlags(s: Selection): string {
  return selectionArgs(s).join(' ');
}

/** The same as an argv array (`drover upgrade ... ${args}`): what the Action hands a workflow. */
export function selectionArgs(s: Selection): string[] {
  return [
    ...(s.nodes?.length ? [`--nodes ${s.nodes.join(',')}`] : []),
    ...(s.role ? [`--role ${s.role}`] : []),
    ...(s.phases?.length ? [`--phase ${s.phases.join(',')}`] : []),
    ...(s.limit !== undefined ? [`--limit ${s.limit}`] : []),
    ...(s.canary !== undefined ? [`--canary ${s.canary}`] : []),
  ].flatMap((flag) => flag.split(' '));
}
