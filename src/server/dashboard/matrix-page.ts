import { html } from 'hono/html';
import { problemStates, type MatrixPage } from '../read/matrix.ts';
import { page, query, stateBadge, type Html, type PageContext } from './layout.ts';

export interface MatrixFilter {
  search?: string | undefined;
  department?: string | undefined;
  app?: string | undefined;
  problem?: string | undefined;
  cursor?: string | undefined;
}

export function matrixPage(ctx: PageContext, data: MatrixPage, filter: MatrixFilter, options: { departments: readonly string[]; apps: readonly string[] }): Html {
  const select = (name: string, values: readonly string[], current: string | undefined, any: string) =>
    html`<select name="${name}" id="f-${name}"><option value="">${any}</option>${values.map((v) => html`<option${v === current ? html` selected` : ''}>${v}</option>`)}</select>`;
  return page(
    ctx,
    'People × apps',
    html`<form method="get" action="/matrix" class="filters" role="search">
  <label>Find <input type="search" name="search" value="${filter.search ?? ''}" placeholder="name, userName or email"></label>
  <label>Department ${select('department', options.departments, filter.department, 'any')}</label>
  <label>App ${select('app', options.apps, filter.app, 'any')}</label>
  <label>Problem ${select('problem', problemStates.filter((p) => p !== 'orphan'), filter.problem, 'any')}</label>
  <button>Show</button> <a href="/findings?kind=orphan">orphan accounts</a>
</form>
<table class="grid matrix"><thead><tr><th>person</th><th>department</th>${data.apps.map((a) => html`<th>${a}</th>`)}</tr></thead><tbody>
${data.people.length === 0 ? html`<tr><td colspan="${data.apps.length + 2}" class="muted">Nobody matches.</td></tr>` : ''}
${data.people.map(
  (p) => html`<tr${p.active ? '' : html` class="inactive"`}><th><a href="/people/${encodeURIComponent(p.id)}">${p.displayName ?? p.userName}</a><br><span class="muted">${p.userName}${p.active ? '' : ' · left'}</span></th><td>${p.department ?? ''}</td>${p.cells.map((c) => html`<td>${c.state === 'none' ? html`<span class="muted">·</span>` : stateBadge(c.state)}</td>`)}</tr>`,
)}
</tbody></table>
<nav class="pager">${filter.cursor ? html`<a href="/matrix${query({ ...filter, cursor: undefined })}">First page</a>` : ''} ${data.nextCursor ? html`<a rel="next" href="/matrix${query({ ...filter, cursor: data.nextCursor })}">Next page</a>` : ''}</nav>`,
  );
}
