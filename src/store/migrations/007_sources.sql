-- People sources: each person remembers the IdP's immutable id for them, the IdP's own word for
-- their status and why roster calls them active or a leaver, and how a person who reached roster
-- by two roads was matched.
alter table people add column source_id text;
alter table people add column source_status text;
alter table people add column source_reason text;
alter table people add column source_match text;
create unique index people_source_id_key on people (source, source_id) where source_id is not null;

-- Where the next incremental read of a source starts (Graph's deltaLink, Okta's newest lastUpdated).
create table source_cursors (
  source text not null,
  stream text not null,
  cursor text not null,
  updated_at timestamptz not null default now(),
  primary key (source, stream)
);

-- Groups as the IdP holds them: direct members, people and nested groups, by source id.
create table source_groups (
  source text not null,
  group_id text not null,
  name text,
  member_users jsonb not null default '[]',
  member_groups jsonb not null default '[]',
  updated_at timestamptz not null default now(),
  primary key (source, group_id)
);

-- Who each IdP app (enterprise app, Okta app) is assigned to, as of the last pull.
create table source_assignments (
  source text not null,
  app_id text not null,
  app_name text not null,
  principal_id text not null,
  principal_type text not null check (principal_type in ('user', 'group')),
  via text,
  primary key (source, app_id, principal_id)
);

-- One pull of one source.
create table source_pulls (
  id bigint generated always as identity primary key,
  source text not null,
  mode text not null check (mode in ('full', 'incremental')),
  status text not null check (status in ('succeeded', 'failed')),
  started_at timestamptz not null,
  finished_at timestamptz not null default now(),
  requests integer not null default 0,
  minimum_requests integer not null default 0,
  people_changed integer not null default 0,
  plan_id text,
  error text
);
create index source_pulls_source_idx on source_pulls (source, id desc);
