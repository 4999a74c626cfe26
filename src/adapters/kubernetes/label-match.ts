/**
 * A LabelSelector matched against labels on the client, as the API server would match it
 * (apimachinery pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector): every matchLabels pair
 * and every expression; NotIn and DoesNotExist match an absent key; an empty selector matches
 * everything.
 */
import type { V1LabelSelector } from '@kubernetes/client-node';

export function matchesSelector(
  selector: V1LabelSelector | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const has = (k: string) => labels !== undefined && Object.hasOwn(labels, k);
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {}))
    if (!has(k) || labels?.[k] !== v) return false;
  for (const e of selector?.matchExpressions ?? []) {
    const value = has(e.key) ? labels?.[e.key] : undefined;
    const values = e.values ?? [];
    if (e.operator === 'In' && (value === undefined || !values.includes(value))) return false;
    if (e.operator === 'NotIn' && value !== undefined && values.includes(value)) return false;
    if (e.operator === 'Exists' && !has(e.key)) return false;
    if (e.operator === 'DoesNotExist' && has(e.key)) return false;
  }
  return true;
}
