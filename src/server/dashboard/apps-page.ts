import { html } from 'hono/html';
import type { AppHealth } from '../read/health.ts';
import { gauge } from './charts.ts';
import { page, stateBadge, when, type Html, type PageContext } from './layout.ts';

export function appsPage(ctx: PageContext, apps: readonly AppHealth[]): Html {
  return page(
    ctx,
    'Apps',
    html`${apps.length === 0 ? html`<p class="muted">No apps yet: configure them in roster.yaml and run roster sync.</p>` : ''}
${apps.map(
  (a) => html`<section class="app" id="app-${a.name}"><h2>${a.name} <span class="muted">${a.type}${a.configured ? '' : ' · no longer configured'}</span></h2>
<dl class="facts">
  <dt>last good sync</dt><dd>${a.currentSync ? html`${when(a.currentSync.finishedAt)} · ${a.currentSync.accountsRead} accounts` : html`<b>never synced</b>`}</dd>
  ${a.latestProblem ? html`<dt>latest sync</dt><dd>${stateBadge(a.latestProblem.status)} ${when(a.latestProblem.startedAt)}${a.latestProblem.error ? `: ${a.latestProblem.error}` : ''}</dd>` : ''}
  <dt>quarantine</dt><dd>${a.quarantine ? html`<b>until ${when(a.quarantine.until)}</b>: ${a.quarantine.reason}` : 'none'}</dd>
  <dt>errors (24 h)</dt><dd>${a.errors.last24h}${a.errors.recent.map((e) => html`<br><span class="muted">${when(e.at)} ${e.action}: ${e.reason}</span>`)}</dd>
  <dt>rate budget</dt><dd>${a.budget.rules.length === 0 ? 'no documented limit' : a.budget.rules.map((r) => html`${gauge(a.name, r.share, `${r.used} / ${r.limit} per ${r.windowSeconds} s`)}<br>`)}${a.budget.paced ? '' : html`<span class="muted">pacing is off for this app</span>`}</dd>
</dl></section>`,
)}`,
  );
}
