/**
 * Terraform's machine-readable UI (`-json`): one JSON object per line on stdout. We turn it into
 * progress events for the operator and collect diagnostics for error messages.
 */

export interface TerraformDiagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail: string;
  address?: string;
}

export interface TerraformProgress {
  /** The message type, e.g. apply_start, apply_complete, refresh_start, planned_change, change_summary. */
  type: string;
  /** Terraform's one-line human message (already redacted by the exec chokepoint). */
  message: string;
  address?: string;
}

export interface JsonStreamResult {
  diagnostics: TerraformDiagnostic[];
  events: TerraformProgress[];
}

/** Types worth showing an operator as they happen; the rest (version, outputs) is noise. */
const PROGRESS_TYPES = new Set([
  'state_lock_acquire',
  'refresh_start',
  'refresh_complete',
  'planned_change',
  'resource_drift',
  'change_summary',
  'apply_start',
  'apply_progress',
  'apply_complete',
  'apply_errored',
  'provision_start',
  'provision_complete',
  'provision_errored',
]);

/** Splits a chunked stream into lines and hands each parsed message to `onMessage`. */
export class JsonLineSplitter {
  private buffer = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line) this.onLine(line);
      newline = this.buffer.indexOf('\n');
    }
  }

  end(): void {
    const rest = this.buffer.trim();
    this.buffer = '';
    if (rest) this.onLine(rest);
  }
}

/** Reads one line of the stream; anything that is not a JSON object is ignored (e.g. a stray warning). */
export function parseJsonLine(line: string): {
  diagnostic?: TerraformDiagnostic;
  progress?: TerraformProgress;
} {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return {};
  }
  if (!isRecord(message)) return {};
  const type = typeof message.type === 'string' ? message.type : '';
  const text = typeof message['@message'] === 'string' ? message['@message'] : '';
  if (type === 'diagnostic' && isRecord(message.diagnostic)) {
    const d = message.diagnostic;
    const severity = d.severity === 'warning' ? 'warning' : 'error';
    const diagnostic: TerraformDiagnostic = {
      severity,
      summary: typeof d.summary === 'string' ? d.summary : text,
      detail: typeof d.detail === 'string' ? d.detail : '',
    };
    if (typeof d.address === 'string') diagnostic.address = d.address;
    return { diagnostic };
  }
  if (!PROGRESS_TYPES.has(type)) return {};
  const progress: TerraformProgress = { type, message: text };
  const address = hookAddress(message);
  if (address) progress.address = address;
  return { progress };
}

/** Parses a whole captured stdout (after the process ended). */
export function parseJsonStream(stdout: string): JsonStreamResult {
  const result: JsonStreamResult = { diagnostics: [], events: [] };
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const { diagnostic, progress } = parseJsonLine(line.trim());
    if (diagnostic) result.diagnostics.push(diagnostic);
    if (progress) result.events.push(progress);
  }
  return result;
}

/**
 * Resources an apply created (`apply_complete` with hook action `create`; a replacement's
 * destroy completes under the same address with action `delete`): after a failed apply, what
 * went through (hashicorp/terraform v1.11 internal/command/views/json/hook.go).
 */
export function createdAddresses(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(message) || message.type !== 'apply_complete' || !isRecord(message.hook))
      continue;
    const address = hookAddress(message);
    if (message.hook.action === 'create' && address !== undefined) out.push(address);
  }
  return out;
}

function hookAddress(message: Record<string, unknown>): string | undefined {
  const hook = message.hook;
  if (isRecord(hook) && isRecord(hook.resource) && typeof hook.resource.addr === 'string') {
    return hook.resource.addr;
  }
  const change = message.change;
  if (isRecord(change) && isRecord(change.resource) && typeof change.resource.addr === 'string') {
    return change.resource.addr;
  }
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
