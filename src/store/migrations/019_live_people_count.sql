-- How many people are live (not deleted by the IdP), kept by the database as people come and go:
-- a SCIM list's totalResults is a sum of 16 rows, not a count of everyone, which after a burst of
-- writes means a visit to every person's row. A writer adds to the row its session picks, so
-- writers at once rarely wait on each other. Every change to people goes through these triggers,
-- in the writer's transaction, so the sum is exact in every snapshot.
create table people_live_count (shard int primary key, n bigint not null);
insert into people_live_count (shard, n) select s, 0 from generate_series(0, 15) as s;
update people_live_count set n = (select count(*) from people where deleted_at is null) where shard = 0;

create function people_live_count_add(delta bigint) returns void language plpgsql as $$
begin
  if delta <> 0 then
    update people_live_count set n = n + delta where shard = pg_backend_pid() % 16;
  end if;
end;
$$;

create function people_counted_insert() returns trigger language plpgsql as $$
begin
  perform people_live_count_add((select count(*) from added where deleted_at is null));
  return null;
end;
$$;
create trigger people_counted_insert after insert on people referencing new table as added
  for each statement execute function people_counted_insert();

create function people_counted_delete() returns trigger language plpgsql as $$
begin
  perform people_live_count_add(-(select count(*) from removed where deleted_at is null));
  return null;
end;
$$;
create trigger people_counted_delete after delete on people referencing old table as removed
  for each statement execute function people_counted_delete();

create function people_counted_update() returns trigger language plpgsql as $$
begin
  perform people_live_count_add(case when new.deleted_at is null then 1 else -1 end);
  return null;
end;
$$;
create trigger people_counted_update after update of deleted_at on people
  for each row when ((old.deleted_at is null) <> (new.deleted_at is null)) execute function people_counted_update();

create function people_counted_truncate() returns trigger language plpgsql as $$
begin
  update people_live_count set n = 0;
  return null;
end;
$$;
create trigger people_counted_truncate after truncate on people
  for each statement execute function people_counted_truncate();
