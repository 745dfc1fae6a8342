import { html } from 'hono/html';
import type { AppHealth } from '../read/health.ts';
import type { overview } from '../read/overview.ts';
import { gauge, stackedBars } from './charts.ts';
import { page, query, type Html, type PageContext } from './layout.ts';

type Overview = Awaited<ReturnType<typeof overview>>;

const shown = ['missing', 'leaver', 'drift', 'pending', 'held', 'orphan'] as const;

export function overviewPage(ctx: PageContext, data: Overview, health: readonly AppHealth[]): Html {
  const days = data.activity.map((d) => d.day);
  return page(
    ctx,
    'Overview',
    html`<section class="cards">
  <div class="card"><b>${data.people.total}</b> people<br><span class="muted">${data.people.active} active</span></div>
  <div class="card"><b>${data.plans.open}</b> open plans<br><a href="/plans?status=planned">${data.plans.waitingApproval} waiting for approval</a></div>
  <div class="card"><b>${data.operations.inFlight}</b> operations in flight<br><a href="/operations">${data.operations.failed} failed</a></div>
</section>
<h2>Findings per app <span class="muted">as of ${data.countsAsOf.replace('T', ' ').slice(0, 19)}</span></h2>
<table class="grid"><thead><tr><th>app</th><th>linked</th>${shown.map((s) => html`<th>${s}</th>`)}</tr></thead><tbody>
${data.apps.map(
  (a) => html`<tr><th><a href="/apps#app-${a.app}">${a.app}</a></th><td>${a.counts.linked}</td>${shown.map((s) =>
    html`<td>${a.counts[s] > 0 ? html`<a class="state state-${s}" href="${s === 'orphan' ? `/findings${query({ app: a.app, kind: s })}` : `/matrix${query({ app: a.app, problem: s })}`}">${a.counts[s]}</a>` : html`<span class="muted">0</span>`}</td>`,
  )}</tr>`,
)}
</tbody></table>
<div class="charts">
${stackedBars('Changes planned per day', days, [
  { label: 'applying on their own', tone: 'good', values: data.activity.map((d) => d.planned - d.held) },
  { label: 'needing approval', tone: 'warn', values: data.activity.map((d) => d.held) },
])}
${stackedBars('Operations finished per day', days, [
  { label: 'verified', tone: 'good', values: data.activity.map((d) => d.verified) },
  { label: 'skipped', tone: 'muted', values: data.activity.map((d) => d.skipped) },
  { label: 'failed', tone: 'bad', values: data.activity.map((d) => d.failed) },
])}
</div>
<h2>Rate-budget use</h2>
<table class="grid"><thead><tr><th>app</th><th>busiest window</th></tr></thead><tbody>
${health.map((a) => {
  const busiest = [...a.budget.rules].sort((x, y) => y.share - x.share)[0];
  return html`<tr><th>${a.name}</th><td>${busiest ? gauge(a.name, busiest.share, `${busiest.used} of ${busiest.limit} requests per ${busiest.windowSeconds} s${a.budget.paced ? '' : ' (not paced)'}`) : html`<span class="muted">no documented limit</span>`}</td></tr>`;
})}
</tbody></table>`,
  );
}
