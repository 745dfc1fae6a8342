-- Rate budgets shared by every process using a credential (see src/store/rate-ledger.ts).

-- Each key's rules as its budget counts them (windows already time-scaled), to show their use.
create table rate_budget_keys (
  key text primary key,
  rules jsonb not null,
  declared_at timestamptz not null default now()
);

-- One row per request let through. Its windows run from done_at (its answer came back); while in
-- flight it counts as if it ends at lease_until, so a process that died mid-request still counts.
create table rate_grants (
  id bigint generated always as identity primary key,
  key text not null,
  rules int[] not null,
  priority smallint not null,
  holder text not null,
  granted_at timestamptz not null,
  done_at timestamptz,
  lease_until timestamptz not null
);
create index rate_grants_by_key on rate_grants (key, (coalesce(done_at, lease_until)));

-- Who waits, by priority: a row per process and priority, renewed while it waits, dead once expired.
create table rate_waiters (
  key text not null,
  holder text not null,
  priority smallint not null,
  expires_at timestamptz not null,
  primary key (key, holder, priority)
);

-- Nothing in scope ('' = every request; else a method) goes before until: a 429's Retry-After, a header's reset.
create table rate_blocks (
  key text not null,
  scope text not null,
  until timestamptz not null,
  reason text not null,
  primary key (key, scope)
);

-- One claim, atomic under a per-key advisory lock: blocked, behind a higher priority, over a rule
-- (with how long until a slot frees), or granted (the grant's id).
create function rate_claim(
  p_key text, p_holder text, p_priority int,
  p_rules int[], p_windows_ms double precision[], p_limits int[], p_scopes text[],
  p_lease_ms int, p_waiter_ms int, p_linger_ms int, p_more_waiting boolean, p_keep_ms double precision
) returns table (grant_id bigint, wait_ms double precision, why text)
language plpgsql as $$
declare
  v_now timestamptz;
  v_until timestamptz;
  v_wait double precision := 0;
  v_used int;
  v_frees timestamptz;
  v_window interval;
  v_id bigint;
  i int;
begin
  perform pg_advisory_xact_lock(hashtextextended('roster.rate_budget:' || current_schema() || ':' || p_key, 0));
  v_now := clock_timestamp();
  select max(b.until) into v_until from rate_blocks b where b.key = p_key and b.scope = any(p_scopes) and b.until > v_now;
  if v_until is not null then
    why := 'blocked';
    v_wait := extract(epoch from v_until - v_now) * 1000;
  elsif exists (select 1 from rate_waiters w where w.key = p_key and w.priority < p_priority and w.holder <> p_holder and w.expires_at > v_now) then
    why := 'priority';
  else
    for i in 1 .. coalesce(array_length(p_rules, 1), 0) loop
      v_window := make_interval(secs => p_windows_ms[i] / 1000.0);
      select count(*) into v_used from rate_grants g
        where g.key = p_key and p_rules[i] = any(g.rules) and coalesce(g.done_at, g.lease_until) > v_now - v_window;
      if v_used >= p_limits[i] then
        -- The slot that frees first for this rule: the (used - limit + 1)-th soonest end, an
        -- in-flight request taken to end now (it cannot free sooner than a window from now).
        select e.ends + v_window into v_frees from (
          select coalesce(g.done_at, v_now) as ends from rate_grants g
          where g.key = p_key and p_rules[i] = any(g.rules) and coalesce(g.done_at, g.lease_until) > v_now - v_window
          order by 1 offset (v_used - p_limits[i]) limit 1) e;
        v_wait := greatest(v_wait, extract(epoch from v_frees - v_now) * 1000, 1);
      end if;
    end loop;
    if v_wait > 0 then why := 'limit'; end if;
  end if;

  if why is null then
    insert into rate_grants (key, rules, priority, holder, granted_at, lease_until)
      values (p_key, p_rules, p_priority, p_holder, v_now, v_now + make_interval(secs => p_lease_ms / 1000.0))
      returning id into v_id;
    grant_id := v_id;
    wait_ms := 0;
    if p_more_waiting and p_waiter_ms > 0 or p_linger_ms > 0 then
      insert into rate_waiters (key, holder, priority, expires_at)
        values (p_key, p_holder, p_priority, v_now + make_interval(secs => (case when p_more_waiting then greatest(p_waiter_ms, p_linger_ms) else p_linger_ms end) / 1000.0))
        on conflict (key, holder, priority) do update set expires_at = excluded.expires_at;
    else
      delete from rate_waiters w where w.key = p_key and w.holder = p_holder and w.priority = p_priority;
    end if;
    delete from rate_grants g where g.key = p_key and coalesce(g.done_at, g.lease_until) < v_now - make_interval(secs => p_keep_ms / 1000.0);
    delete from rate_waiters w where w.key = p_key and w.expires_at < v_now;
  else
    wait_ms := v_wait;
    if p_waiter_ms > 0 then
      insert into rate_waiters (key, holder, priority, expires_at)
        values (p_key, p_holder, p_priority, v_now + make_interval(secs => p_waiter_ms / 1000.0))
        on conflict (key, holder, priority) do update set expires_at = greatest(rate_waiters.expires_at, excluded.expires_at);
    end if;
  end if;
  return next;
end;
$$;
