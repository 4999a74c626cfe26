/**
 * Scenario fields for maintenance windows: `startAt` (the virtual date and time the simulation
 * starts at, so a scenario can begin shortly before a window closes) and `maintenance` (the
 * same section as drover.yaml's; grammar in core/maintenance-window-grammar.ts).
 */
import { z } from 'zod';
import {
  maintenancePolicyOf,
  OUTSIDE_WINDOW_MODES,
  parseWindow,
} from '../../../core/maintenance-window-grammar.js';
import type { MaintenancePolicy } from '../../../core/maintenance-window-grammar.js';

export const startAtSchema = z
  .string()
  .refine(
    (text) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) &&
      !Number.isNaN(Date.parse(text)),
    {
      message: 'must be an ISO 8601 date and time with a zone, e.g. 2026-12-05T23:30:00Z',
    },
  );

const windowText = z.string().superRefine((text, ctx) => {
  const parsed = parseWindow(text);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
});

export const maintenanceScenarioSchema = z.strictObject({
  windows: z.array(windowText).min(1),
  outsideWindow: z.enum(OUTSIDE_WINDOW_MODES).default('exit'),
});

/** Epoch ms of `startAt`, or the fallback (the simulation's usual epoch). */
export function startMsOf(scenario: { startAt?: string | undefined }, fallback: number): number {
  return scenario.startAt === undefined ? fallback : Date.parse(scenario.startAt);
}

export function scenarioMaintenance(scenario: {
  maintenance?: z.output<typeof maintenanceScenarioSchema> | undefined;
}): MaintenancePolicy | undefined {
  return scenario.maintenance === undefined ? undefined : maintenancePolicyOf(scenario.maintenance);
}
