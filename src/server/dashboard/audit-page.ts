import { html } from 'hono/html';
import type { AuditRow, AuditSearch } from '../read/audit.ts';
import { page, query, when, type Html, type PageContext } from './layout.ts';

export interface Verification {
  ok: boolean;
  verified: number;
  unchained: number;
  head: string | null;
  broken: { id: number; problem: string } | null;
}

export function auditPage(ctx: PageContext, events: readonly AuditRow[], nextBefore: number | null, filter: Omit<AuditSearch, 'limit'>, verification?: Verification): Html {
  const field = (name: keyof typeof filter, label: string, type = 'text') => html`<label>${label} <input type="${type}" name="${name}" value="${filter[name] ?? ''}"></label>`;
  return page(
    ctx,
    'Audit trail',
    html`<form method="get" action="/audit/verify" class="inline"><button>Verify the chain</button></form>
${verification
  ? verification.ok
    ? html`<p class="notice notice-ok" role="status">The chain holds: ${verification.verified} events verified${verification.unchained ? `, ${verification.unchained} from before chaining` : ''}. Head <code>${verification.head ?? '—'}</code></p>`
    : html`<p class="notice notice-error" role="alert">The chain is broken at event ${verification.broken?.id}: ${verification.broken?.problem}</p>`
  : ''}
<form method="get" action="/audit" class="filters" role="search">
  ${field('action', 'Action')} ${field('actor', 'Actor')} ${field('app', 'App')} ${field('target', 'Target')} ${field('since', 'Since (ISO time)')} ${field('until', 'Until')}
  <button>Search</button>
</form>
<table class="grid"><thead><tr><th>#</th><th>when</th><th>actor</th><th>action</th><th>app</th><th>target</th><th>outcome</th><th>detail</th></tr></thead><tbody>
${events.length === 0 ? html`<tr><td colspan="8" class="muted">No events.</td></tr>` : ''}
${events.map((e) => html`<tr class="outcome-${e.outcome}"><td>${e.id}</td><td>${when(e.at)}</td><td>${e.actor}</td><td>${e.action}</td><td>${e.app ?? ''}</td><td>${e.target ?? ''}</td><td>${e.outcome}</td><td><code class="detail">${JSON.stringify(e.detail).slice(0, 400)}</code></td></tr>`)}
</tbody></table>
<nav class="pager">${nextBefore ? html`<a rel="next" href="/audit${query({ ...filter, before: nextBefore })}">Older</a>` : ''}</nav>`,
  );
}
