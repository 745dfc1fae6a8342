-- Plans: what roster would change, saved so it can be reviewed, approved and applied later.
create table plans (
  id text primary key,
  created_at timestamptz not null default now(),
  requested_by text not null,
  -- What the plan was computed from; apply refuses the plan when this no longer holds.
  basis jsonb not null,
  body jsonb not null,
  status text not null default 'planned' check (status in ('planned', 'applying', 'applied', 'rejected'))
);

-- Decisions on held changes, by someone other than the requester. change_id null: the whole plan.
create table approvals (
  id bigint generated always as identity primary key,
  plan_id text not null references plans (id) on delete cascade,
  change_id text,
  decision text not null check (decision in ('approved', 'rejected')),
  decided_by text not null,
  decided_at timestamptz not null default now(),
  note text
);
create index approvals_plan_idx on approvals (plan_id);

-- One durable operation per change of a plan, idempotent by key.
create table operations (
  key text primary key,
  plan_id text not null references plans (id) on delete cascade,
  change_id text not null,
  app_name text not null,
  kind text not null,
  state text not null check (state in ('queued', 'running', 'done', 'failed')),
  attempts integer not null default 0,
  claimed_by text,
  not_before timestamptz,
  last_error text,
  result jsonb,
  updated_at timestamptz not null default now()
);
create index operations_plan_idx on operations (plan_id, state);
create index operations_app_idx on operations (app_name, updated_at desc);

-- The full remote record, captured before a destructive change: enough to restore it.
create table snapshots (
  id bigint generated always as identity primary key,
  app_name text not null,
  remote_id text not null,
  person_id text,
  operation_key text,
  reason text not null,
  account jsonb not null,
  taken_at timestamptz not null default now()
);
create index snapshots_app_idx on snapshots (app_name, remote_id);

alter table apps add column quarantined_until timestamptz;
alter table apps add column quarantine_reason text;

-- Accounts roster created itself are linked by that fact, as firmly as a hand-made link.
alter table links drop constraint links_rule_check;
alter table links add constraint links_rule_check check (rule in ('externalId', 'email', 'userName', 'manual', 'created'));
