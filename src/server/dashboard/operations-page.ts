import { html } from 'hono/html';
import type { OperationsView } from '../read/operations.ts';
import { page, stateBadge, when, type Html, type PageContext } from './layout.ts';

/** The live part: polled by htmx every two seconds; a plain reload without JavaScript. */
export function operationsLive(view: OperationsView, quarantined: readonly { app: string; until: string; reason: string }[]): Html {
  return html`<div id="operations-live" hx-get="/operations/live" hx-trigger="every 2s" hx-swap="outerHTML">
<h2>In flight</h2>
<table class="grid"><thead><tr><th>plan</th><th>by</th><th>progress</th><th>done</th><th>failed</th><th>skipped</th><th>left</th></tr></thead><tbody>
${view.inFlight.length === 0 ? html`<tr><td colspan="7" class="muted">Nothing running.</td></tr>` : ''}
${view.inFlight.map((p) => {
  const finished = p.done + p.failed + p.skipped;
  return html`<tr><th><a href="/plans/${p.planId}">${p.planId}</a></th><td>${p.requestedBy}</td><td><progress max="${p.total}" value="${finished}">${finished}/${p.total}</progress> ${finished}/${p.total}</td><td>${p.done}</td><td>${p.failed}</td><td>${p.skipped}</td><td>${p.queued + p.running + p.staged}</td></tr>`;
})}
</tbody></table>
<h2>Quarantined apps</h2>
${quarantined.length === 0 ? html`<p class="muted">None.</p>` : html`<ul>${quarantined.map((q) => html`<li><b>${q.app}</b> until ${when(q.until)}: ${q.reason}</li>`)}</ul>`}
<h2>Failures</h2>
<table class="grid"><thead><tr><th>change</th><th>app</th><th>attempts</th><th>reason</th><th>when</th></tr></thead><tbody>
${view.failures.length === 0 ? html`<tr><td colspan="5" class="muted">No failures.</td></tr>` : ''}
${view.failures.map((o) => html`<tr><th><a href="/plans/${o.planId}#${encodeURIComponent(o.changeId)}">${o.changeId}</a></th><td>${o.app}</td><td>${o.attempts}</td><td>${o.reason ?? ''}</td><td>${when(o.updatedAt)}</td></tr>`)}
</tbody></table>
<h2>Waiting</h2>
<table class="grid"><thead><tr><th>change</th><th>state</th><th>not before</th><th>why</th></tr></thead><tbody>
${view.deferred.length === 0 ? html`<tr><td colspan="4" class="muted">Nothing deferred.</td></tr>` : ''}
${view.deferred.map((o) => html`<tr><th>${o.changeId}</th><td>${stateBadge(o.state)}</td><td>${when(o.notBefore)}</td><td>${o.reason ?? ''}</td></tr>`)}
</tbody></table>
</div>`;
}

export function operationsPage(ctx: PageContext, live: Html): Html {
  return page(ctx, 'Operations', live);
}
