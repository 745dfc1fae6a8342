-- The audit trail is chained after the fact: a writer only inserts its events (no lock held to
-- commit), and a chainer links committed events in batches, under one advisory lock, giving each
-- its place in the chain (seq) and its hashes. Events chained before keep their order.
alter table audit_events add column seq bigint;
update audit_events set seq = id;
create unique index audit_events_seq_key on audit_events (seq);
create index audit_events_unchained_idx on audit_events (id) where seq is null;

-- Still append-only; the one update allowed is chaining an event that is not chained yet,
-- changing nothing else about it.
create or replace function audit_events_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and old.seq is null and old.hash is null and new.seq is not null and new.hash is not null
     and row(new.id, new.at, new.actor, new.action, new.app_name, new.target, new.outcome, new.detail)
         is not distinct from row(old.id, old.at, old.actor, old.action, old.app_name, old.target, old.outcome, old.detail) then
    return new;
  end if;
  raise exception 'audit_events is append-only';
end;
$$;
