/**
 * The `maintenance` section of drover.yaml: when an upgrade may act (the grammar is in
 * core/maintenance-window-grammar.ts). A window that does not parse, or names an unknown time
 * zone, is a config error at its own field (exit 2).
 */
import { z } from 'zod';
import { OUTSIDE_WINDOW_MODES, parseWindow } from '../../core/maintenance-window-grammar.js';

export const WindowText = z
  .string()
  .superRefine((text, ctx) => {
    const parsed = parseWindow(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
  })
  .describe(
    '<days> <HH:MM>-<HH:MM> <IANA time zone>, e.g. "Sat 02:00-06:00 Europe/Berlin"; days: daily, Mon, Mon-Fri, Sat,Sun; an end before the start crosses midnight',
  );

export const MaintenanceSchema = z
  .strictObject({
    windows: z.array(WindowText).min(1).describe('Windows an upgrade may act in (several allowed)'),
    outsideWindow: z
      .enum(OUTSIDE_WINDOW_MODES)
      .default('exit')
      .describe('A run started outside every window: wait for the next one, or exit 3'),
  })
  .describe(
    'Maintenance windows: a node starts only when its expected duration ends inside the window; a run the window cuts off stops between nodes (exit 4) and --resume continues it',
  );

export type MaintenanceConfig = z.output<typeof MaintenanceSchema>;
