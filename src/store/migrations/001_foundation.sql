-- People: the source of truth, imported or pushed by the IdP.
create table people (
  id text primary key,
  external_id text,
  user_name text not null,
  display_name text,
  given_name text,
  family_name text,
  email text,
  emails jsonb not null default '[]',
  active boolean not null default true,
  department text,
  title text,
  manager_id text,
  groups jsonb not null default '[]',
  source text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index people_user_name_key on people (lower(user_name));
create index people_email_idx on people (lower(email));
create index people_external_id_idx on people (external_id);

-- Apps: one configured connection each. Credentials are never stored here.
create table apps (
  name text primary key,
  type text not null,
  base_url text not null,
  current_sync_id bigint,
  created_at timestamptz not null default now()
);

-- One read of every account of one app. Accounts of a run become current only when it succeeds.
create table sync_runs (
  id bigint generated always as identity primary key,
  app_name text not null references apps (name) on delete cascade,
  status text not null check (status in ('running', 'succeeded', 'failed')),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  accounts_read integer not null default 0,
  list_requests integer not null default 0,
  error text
);
create index sync_runs_app_idx on sync_runs (app_name, id desc);

alter table apps add constraint apps_current_sync_fk foreign key (current_sync_id) references sync_runs (id) on delete set null;

-- Accounts as each app reported them, per sync run.
create table accounts (
  sync_id bigint not null references sync_runs (id) on delete cascade,
  app_name text not null,
  remote_id text not null,
  user_name text,
  email text,
  external_id text,
  display_name text,
  given_name text,
  family_name text,
  active boolean not null,
  department text,
  title text,
  groups jsonb not null default '[]',
  raw jsonb not null,
  primary key (sync_id, remote_id)
);
create index accounts_app_idx on accounts (app_name, sync_id);

-- Person <-> account, made by a matching rule or by hand, with the reason kept.
create table links (
  app_name text not null references apps (name) on delete cascade,
  remote_id text not null,
  person_id text not null references people (id) on delete cascade,
  rule text not null check (rule in ('externalId', 'email', 'userName', 'manual')),
  reason text not null,
  created_at timestamptz not null default now(),
  primary key (app_name, remote_id)
);
create unique index links_person_app_key on links (app_name, person_id);

-- The append-only audit trail.
create table audit_events (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor text not null,
  action text not null,
  app_name text,
  target text,
  outcome text not null default 'ok',
  detail jsonb not null default '{}'
);
create index audit_events_at_idx on audit_events (at);
create index audit_events_action_idx on audit_events (action);

create function audit_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_events is append-only';
end;
$$;
create trigger audit_events_no_update before update or delete on audit_events
  for each row execute function audit_events_append_only();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function audit_events_append_only();
