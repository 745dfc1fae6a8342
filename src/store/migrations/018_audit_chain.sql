-- The hash chain moves out of audit_events into a table of its own, so chaining an event no longer
-- rewrites it: audit_events is only ever inserted into again (updating a row of it wrote a new
-- tuple and an entry in each of its indexes). A writer still only inserts its events, and a
-- trigger queues them in audit_unchained in the same statement; the chainer appends one link per
-- event to audit_chain and takes the event off the queue, in one transaction.

-- One link per chained event, in chain order (seq): the hash of the link before and the event's
-- own hash over that and its content. Written by the chainer only, never changed.
create table audit_chain (
  seq bigint primary key,
  event_id bigint not null unique,
  prev_hash text,
  hash text not null
);

-- Events committed and not chained yet. Neither table has a foreign key to audit_events: an event
-- deleted from the trail leaves its link behind for verify to name (or its queue row, which the
-- chainer drops).
create table audit_unchained (event_id bigint primary key);

-- Chained events keep their place and hashes; those waiting stay queued. Events written before the
-- trail was chained (seq set to their id by 015, no hash) go in neither: there is nothing to check
-- them against.
insert into audit_chain (seq, event_id, prev_hash, hash)
  select seq, id, prev_hash, hash from audit_events where hash is not null;
insert into audit_unchained (event_id)
  select id from audit_events where seq is null;

-- Strictly append-only again: 015 let the chainer update an event once; nothing may now.
create or replace function audit_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_events is append-only';
end;
$$;

drop index audit_events_seq_key;
drop index audit_events_unchained_idx;
alter table audit_events drop column seq, drop column prev_hash, drop column hash;

-- Every insert into the trail is queued, whoever makes it (recordAudit, a statement that carries
-- its events in a CTE, plain SQL): once per statement, over all the rows it inserted.
create function audit_events_queue() returns trigger language plpgsql as $$
begin
  insert into audit_unchained (event_id) select id from audit_events_inserted;
  return null;
end;
$$;
create trigger audit_events_queue after insert on audit_events
  referencing new table as audit_events_inserted
  for each statement execute function audit_events_queue();

create function audit_chain_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_chain is append-only';
end;
$$;
create trigger audit_chain_no_update before update or delete on audit_chain
  for each row execute function audit_chain_append_only();
create trigger audit_chain_no_truncate before truncate on audit_chain
  for each statement execute function audit_chain_append_only();
