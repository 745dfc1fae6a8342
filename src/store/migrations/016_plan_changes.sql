-- A plan's changes, one row each, in plan order. A plan for everyone is written and read in slices:
-- as one jsonb value of tens of megabytes, a single statement grew the embedded database's heap by
-- ten times its size, for good. The read models find a person's held changes by index.
create table plan_changes (
  plan_id text not null references plans (id) on delete cascade,
  seq integer not null,
  change_id text not null,
  app text not null,
  person_id text,
  remote_id text,
  -- The change waits for a second person (its approval list is not empty).
  needs_approval boolean not null,
  change jsonb not null,
  primary key (plan_id, seq)
);
create index plan_changes_person_idx on plan_changes (person_id) where person_id is not null;
create index plan_changes_held_idx on plan_changes (plan_id) where needs_approval;

insert into plan_changes (plan_id, seq, change_id, app, person_id, remote_id, needs_approval, change)
  select p.id, c.n - 1, c.value->>'id', c.value->>'app', c.value->>'personId', c.value->>'remoteId', jsonb_array_length(coalesce(c.value->'approval', '[]'::jsonb)) > 0, c.value
    from plans p cross join lateral jsonb_array_elements(p.body->'changes') with ordinality as c(value, n);

-- The body keeps what is not a change: the apps held back, and why.
update plans set body = jsonb_build_object('held', coalesce(body->'held', '[]'::jsonb));
alter table plans add column change_count integer not null default 0;
update plans set change_count = (select count(*) from plan_changes c where c.plan_id = plans.id);
