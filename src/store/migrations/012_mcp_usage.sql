-- What each MCP agent token used, in fixed windows (calls per minute, result characters per hour),
-- shared by every roster process on one database so an agent cannot spread its calls to go faster.
create table mcp_usage (
  token_id text not null,
  window_kind text not null check (window_kind in ('minute', 'hour')),
  window_start timestamptz not null,
  calls integer not null default 0,
  chars bigint not null default 0,
  primary key (token_id, window_kind, window_start)
);
