-- How many times the set of live people has changed (someone added, deleted, brought back or all
-- truncated), kept beside the live count by the same triggers. A page of users in id order starts
-- from an id this process saw at that place in the order, instead of walking every person before
-- it, only while this number is the one it saw then: a change to a person's attributes keeps
-- everyone's place, and anything that could move a place moves this number, in the same snapshot.
alter table people_live_count add column changes bigint not null default 0;

create or replace function people_live_count_add(delta bigint) returns void language plpgsql as $$
begin
  if delta <> 0 then
    update people_live_count set n = n + delta, changes = changes + 1 where shard = pg_backend_pid() % 16;
  end if;
end;
$$;

create or replace function people_counted_truncate() returns trigger language plpgsql as $$
begin
  update people_live_count set n = 0, changes = changes + 1;
  return null;
end;
$$;
