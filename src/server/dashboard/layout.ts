// The page frame: navigation, who is signed in, htmx (configured by a meta tag: the CSP allows no
// inline script), the CSRF token for forms and htmx requests.
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Identity } from '../../auth/identity.ts';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageContext {
  identity: Identity | undefined;
  /** The token state-changing forms and htmx requests carry; empty when sign-in gives none. */
  csrfToken: string;
  /** The path shown, to mark the current section. */
  path: string;
}

const sections = [
  ['/', 'Overview'],
  ['/matrix', 'People × apps'],
  ['/findings', 'Findings'],
  ['/plans', 'Plans'],
  ['/operations', 'Operations'],
  ['/apps', 'Apps'],
  ['/audit', 'Audit'],
] as const;

const htmxConfig = JSON.stringify({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false, selfRequestsOnly: true });

export function page(ctx: PageContext, title: string, body: Html): Html {
  const current = (href: string) => (href === '/' ? ctx.path === '/' : ctx.path === href || ctx.path.startsWith(`${href}/`));
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${htmxConfig}">
<title>${title} · roster</title>
<link rel="stylesheet" href="/static/roster.css">
<script src="/static/htmx.min.js" defer></script>
</head>
<body hx-headers="${JSON.stringify({ 'x-csrf-token': ctx.csrfToken })}">
<header class="top">
  <a class="brand" href="/">roster</a>
  <nav>${sections.map(([href, label]) => html`<a href="${href}"${current(href) ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
  <span class="who">${ctx.identity ? html`${ctx.identity.actor} <span class="role">${ctx.identity.role}</span> <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${ctx.csrfToken}"><button class="link">Sign out</button></form>` : html`<a href="/login">Sign in</a>`}</span>
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** A hidden field with the CSRF token, for every state-changing form. */
export const csrfField = (ctx: PageContext): Html => html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;

export function stateBadge(state: string): Html {
  return html`<span class="state state-${state.replace(/[^a-z-]/g, '')}">${state}</span>`;
}

export function when(iso: string | null | undefined): Html {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').slice(0, 19)}</time>`;
}

/** A query string from the given values, skipping empty ones. */
export function query(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function notice(kind: 'ok' | 'error', text: string | undefined): Html {
  return text ? html`<p class="notice notice-${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>` : html``;
}
