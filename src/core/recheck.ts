import type { Change } from './plan.ts';

export type Recheck = { holds: true } | { holds: false; reason: string };

/**
 * Whether a planned change is still what a fresh plan of the same person and app would do: the
 * same change (by id), wanting at least the same values. Anything else — the person was rehired,
 * moved again, left, or the policy changed — means it no longer holds, with what a fresh plan
 * would do instead.
 */
export function recheckChange(planned: Change, fresh: readonly Change[]): Recheck {
  const same = fresh.find((c) => c.id === planned.id);
  if (same) {
    const drifted = Object.entries(planned.attributes ?? {}).filter(([key, value]) => value !== undefined && JSON.stringify((same.attributes as Record<string, unknown> | undefined)?.[key]) !== JSON.stringify(value));
    if (drifted.length === 0) return { holds: true };
    const now = drifted.map(([key]) => `${key} is now wanted as ${JSON.stringify((same.attributes as Record<string, unknown> | undefined)?.[key] ?? null)}`);
    return { holds: false, reason: `it was planned with ${drifted.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}, but ${now.join(', ')}` };
  }
  const instead = fresh.filter((c) => c.subject === planned.subject && (c.personId === planned.personId || c.remoteId === planned.remoteId));
  const would = instead.length > 0 ? `a fresh plan would ${instead.map((c) => `${c.kind}${c.group ? ` ${c.group}` : ''}`).join(', ')} instead` : 'a fresh plan makes no such change';
  return { holds: false, reason: `it no longer fits ${planned.subject}'s current state (${would})` };
}
