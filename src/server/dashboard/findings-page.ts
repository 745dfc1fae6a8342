import { html } from 'hono/html';
import { problemStates } from '../read/matrix.ts';
import type { Finding } from '../read/findings.ts';
import { page, query, stateBadge, type Html, type PageContext } from './layout.ts';

export function findingsPage(ctx: PageContext, findings: readonly Finding[], filter: { app?: string | undefined; kind?: string | undefined; offset: number; limit: number }, apps: readonly string[]): Html {
  return page(
    ctx,
    'Findings',
    html`<form method="get" action="/findings" class="filters">
  <label>App <select name="app"><option value="">any</option>${apps.map((a) => html`<option${a === filter.app ? html` selected` : ''}>${a}</option>`)}</select></label>
  <label>Kind <select name="kind"><option value="">any</option>${problemStates.map((k) => html`<option${k === filter.kind ? html` selected` : ''}>${k}</option>`)}</select></label>
  <button>Show</button>
</form>
<table class="grid"><thead><tr><th>app</th><th>kind</th><th>who</th><th>the fix</th></tr></thead><tbody>
${findings.length === 0 ? html`<tr><td colspan="4" class="muted">Nothing found.</td></tr>` : ''}
${findings.map(
  (f) => html`<tr><td>${f.app}</td><td>${stateBadge(f.kind)}</td>
<td>${f.person ? html`<a href="/people/${encodeURIComponent(f.person.id)}#app-${f.app}">${f.person.displayName ?? f.person.userName}</a>` : html`${f.account?.userName ?? f.account?.email ?? f.account?.remoteId} <span class="muted">(no person)</span>`}</td>
<td>${f.fix ? html`<a href="/plans/${f.fix.planId}#${encodeURIComponent(f.fix.changeId)}">${f.fix.kind}</a> — ${f.fix.status}<br><span class="muted">${f.fix.reason}</span>` : html`<span class="muted">not planned yet</span>`}</td></tr>`,
)}
</tbody></table>
<nav class="pager">${filter.offset > 0 ? html`<a href="/findings${query({ app: filter.app, kind: filter.kind, offset: Math.max(0, filter.offset - filter.limit) })}">Previous</a>` : ''} ${findings.length === filter.limit ? html`<a rel="next" href="/findings${query({ app: filter.app, kind: filter.kind, offset: filter.offset + filter.limit })}">Next</a>` : ''}</nav>`,
  );
}
