import { html } from 'hono/html';
import { can } from '../../auth/identity.ts';
import type { PlanSummary, PlanView } from '../read/plans.ts';
import { csrfField, notice, page, query, stateBadge, when, type Html, type PageContext } from './layout.ts';

export function plansPage(ctx: PageContext, plans: readonly PlanSummary[], filter: { status?: string | undefined; offset: number; limit: number }, message?: { kind: 'ok' | 'error'; text: string }): Html {
  return page(
    ctx,
    'Plans',
    html`${message ? notice(message.kind, message.text) : ''}
<nav class="tabs">${['', 'planned', 'applying', 'applied', 'rejected'].map((s) => html`<a href="/plans${query({ status: s })}"${(filter.status ?? '') === s ? html` aria-current="page"` : ''}>${s || 'all'}</a> `)}</nav>
${ctx.identity && can(ctx.identity, 'plan') ? html`<form method="post" action="/plans" class="inline">${csrfField(ctx)}<button>Plan every app now</button></form>` : ''}
<table class="grid"><thead><tr><th>plan</th><th>made</th><th>by</th><th>status</th><th>changes</th><th>need approval</th><th>apps</th></tr></thead><tbody>
${plans.length === 0 ? html`<tr><td colspan="7" class="muted">No plans.</td></tr>` : ''}
${plans.map((p) => html`<tr><th><a href="/plans/${p.id}">${p.id}</a></th><td>${when(p.createdAt)}</td><td>${p.requestedBy}</td><td>${stateBadge(p.status)}</td><td>${p.changes}</td><td>${p.held}</td><td>${p.apps.join(', ')}</td></tr>`)}
</tbody></table>
<nav class="pager">${filter.offset > 0 ? html`<a href="/plans${query({ status: filter.status, offset: Math.max(0, filter.offset - filter.limit) })}">Newer</a>` : ''} ${plans.length === filter.limit ? html`<a rel="next" href="/plans${query({ status: filter.status, offset: filter.offset + filter.limit })}">Older</a>` : ''}</nav>`,
  );
}

export function planPage(ctx: PageContext, plan: PlanView, message?: { kind: 'ok' | 'error'; text: string }): Html {
  const byApp = new Map<string, PlanView['changes']>();
  for (const c of plan.changes) byApp.set(c.app, [...(byApp.get(c.app) ?? []), c]);
  const open = plan.status === 'planned' || plan.status === 'applying';
  const live = open && plan.changes.some((c) => c.operation && ['queued', 'running', 'staged'].includes(c.operation.state));
  return page(
    ctx,
    `Plan ${plan.id}`,
    html`${message ? notice(message.kind, message.text) : ''}
<dl class="facts">
  <dt>status</dt><dd>${stateBadge(plan.status)}${plan.stale ? html` <b>stale</b>: ${plan.stale}` : ''}</dd>
  <dt>requested by</dt><dd>${plan.requestedBy}, ${when(plan.createdAt)}</dd>
  <dt>changes</dt><dd>${plan.gate.ready} ready, ${plan.gate.waiting} waiting for approval, ${plan.gate.rejected} rejected</dd>
  <dt>digest</dt><dd><code>${plan.digest.slice(0, 16)}…</code></dd>
</dl>
<div class="actions">
${plan.you.mayApprove
  ? html`<form method="post" action="/plans/${plan.id}/approve" class="inline">${csrfField(ctx)}<input name="note" placeholder="note (optional)" maxlength="2000"> <button class="approve">Approve</button></form>
<form method="post" action="/plans/${plan.id}/reject" class="inline">${csrfField(ctx)}<button class="reject">Reject</button></form>`
  : plan.gate.waiting > 0 && plan.you.why ? html`<p class="muted">You cannot approve: ${plan.you.why}.</p>` : ''}
${plan.you.mayApply && plan.gate.ready > 0 ? html`<form method="post" action="/plans/${plan.id}/apply" class="inline">${csrfField(ctx)}<button>Apply what is allowed</button></form>` : ''}
</div>
${plan.held.map((h) => html`<p class="notice notice-error">${h.app}: ${h.reason}${h.changes?.length ? ` (${h.changes.length} not planned)` : ''}</p>`)}
<div id="plan-changes"${live ? html` hx-get="/plans/${plan.id}/changes" hx-trigger="every 2s" hx-select="#plan-changes" hx-swap="outerHTML"` : ''}>
${[...byApp].map(
  ([app, changes]) => html`<h2>${app}</h2>
<table class="grid changes"><thead><tr><th>change</th><th>why</th><th>approval</th><th>state</th><th>requests</th></tr></thead><tbody>
${changes.map(
  (c) => html`<tr id="${c.id}"><th>${c.kind}${c.group ? html` → ${c.group}` : ''}<br><span class="muted">${c.subject}</span></th><td>${c.reason}${c.attributes && c.kind === 'update' ? html`<br><span class="muted">set ${Object.entries(c.attributes).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}</span>` : ''}</td>
<td>${c.approval.length ? c.approval.join('; ') : html`<span class="muted">none needed</span>`}</td>
<td>${stateBadge(c.operation?.state ?? c.decision)}${c.operation?.reason ? html`<br><span class="muted">${c.operation.reason}</span>` : ''}</td>
<td><pre class="requests">${c.requests.map((r) => `${r.method} ${r.path}${r.body === undefined ? '' : ` ${JSON.stringify(r.body)}`}${r.merged ? '  (batched)' : ''}`).join('\n')}</pre></td></tr>`,
)}
</tbody></table>`,
)}
${plan.changes.length === 0 ? html`<p class="muted">Nothing to change.</p>` : ''}
</div>
<h2>Decisions</h2>
<ul>${plan.approvals.length === 0 ? html`<li class="muted">None yet.</li>` : ''}${plan.approvals.map((a) => html`<li>${a.decision} ${a.changeId ? `change ${a.changeId}` : 'the whole plan'} by ${a.decidedBy}, ${when(a.decidedAt)}${a.note ? `: ${a.note}` : ''}</li>`)}</ul>`,
  );
}
