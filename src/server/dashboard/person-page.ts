import { html } from 'hono/html';
import type { PersonDetail } from '../read/person.ts';
import { can } from '../../auth/identity.ts';
import { csrfField, page, stateBadge, when, type Html, type PageContext } from './layout.ts';

export function personPage(ctx: PageContext, detail: PersonDetail): Html {
  const p = detail.person;
  return page(
    ctx,
    p.displayName ?? p.userName,
    html`<dl class="facts">
  <dt>userName</dt><dd>${p.userName}</dd>
  <dt>email</dt><dd>${p.emails.join(', ') || '—'}</dd>
  <dt>status</dt><dd>${p.active ? 'active' : html`<b>left</b>`}${p.sourceStatus ? ` (IdP says ${p.sourceStatus}${p.sourceReason ? `: ${p.sourceReason}` : ''})` : ''}</dd>
  <dt>department · title</dt><dd>${p.department ?? '—'} · ${p.title ?? '—'}</dd>
  <dt>source</dt><dd>${p.source}</dd>
  <dt>IdP groups</dt><dd>${p.groups.join(', ') || '—'}</dd>
</dl>
${ctx.identity && can(ctx.identity, 'plan') ? html`<form method="post" action="/people/${encodeURIComponent(p.id)}/plan" class="inline">${csrfField(ctx)}<button>Plan the changes for ${p.userName}</button></form>` : ''}
<h2>Accounts, and why each exists</h2>
<table class="grid"><thead><tr><th>app</th><th>state</th><th>account</th><th>why it is theirs</th><th>policy</th><th>next</th><th>last change</th></tr></thead><tbody>
${detail.accounts.map(
  (a) => html`<tr id="app-${a.app}"><th>${a.app}</th><td>${stateBadge(a.state)}</td>
<td>${a.account ? html`${a.account.userName ?? a.account.email ?? a.account.remoteId}<br><span class="muted">${a.account.active ? 'active' : 'disabled'}${a.account.role ? ` · ${a.account.role}` : ''}${a.account.groups.length ? ` · ${a.account.groups.join(', ')}` : ''}</span>` : html`<span class="muted">no account</span>`}</td>
<td>${a.link ? html`linked by ${a.link.rule}: ${a.link.reason}` : html`<span class="muted">—</span>`}</td>
<td>${a.policy.assigned ? 'assigned: ' : 'not assigned: '}${a.policy.rule}</td>
<td>${a.planned.length ? a.planned.map((c) => html`<a href="/plans/${c.planId}#${encodeURIComponent(c.changeId)}">${c.kind}</a> (${c.status})<br>`) : html`<span class="muted">nothing planned</span>`}</td>
<td>${a.lastChange ? html`${a.lastChange.action} ${when(a.lastChange.at)}` : html`<span class="muted">—</span>`}</td></tr>`,
)}
</tbody></table>
<h2>Timeline</h2>
<ol class="timeline">
${detail.timeline.length === 0 ? html`<li class="muted">Nothing recorded about this person yet.</li>` : ''}
${detail.timeline.map((e) => html`<li class="outcome-${e.outcome}">${when(e.at)} <b>${e.action}</b>${e.app ? html` in ${e.app}` : ''} by ${e.actor}<br><span class="muted">${e.summary}</span></li>`)}
</ol>`,
  );
}
