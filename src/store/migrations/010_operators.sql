-- Operator accounts: the people who sign in to roster (CLI, dashboard, API). A username is kept
-- in its normal form (NFKC, lowercase, a conservative charset), so one person is one account.
create table operators (
  id text primary key,
  username text not null unique,
  role text not null check (role in ('viewer', 'operator', 'approver', 'admin')),
  -- argon2id as a PHC string with its parameters; null: no password sign-in.
  password_hash text,
  email text,
  oidc_issuer text,
  oidc_subject text,
  disabled_at timestamptz,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index operators_oidc_key on operators (oidc_issuer, oidc_subject) where oidc_subject is not null;

-- Sessions (browser and CLI): only sha256 of the random value is kept.
create table operator_sessions (
  id_hash text primary key,
  operator_id text not null references operators (id),
  kind text not null check (kind in ('browser', 'cli', 'api')),
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index operator_sessions_operator_idx on operator_sessions (operator_id);

-- Failed sign-ins per key ('user:<name>' or 'address:<ip>') in the current window, shared by
-- every process using the database.
create table sign_in_throttle (
  key text primary key,
  failures integer not null,
  window_started_at timestamptz not null,
  locked_until timestamptz
);

-- OIDC sign-ins in flight: the browser holds a random value, its hash finds the state, PKCE
-- verifier and nonce here; each is used once.
create table oidc_logins (
  id_hash text primary key,
  state text not null,
  code_verifier text not null,
  nonce text not null,
  next_path text not null,
  created_at timestamptz not null
);

-- One token system: SCIM push tokens, API tokens with a role, and MCP agent tokens.
alter table scim_tokens add column kind text not null default 'scim' check (kind in ('scim', 'api', 'agent'));
alter table scim_tokens add column role text check (role in ('viewer', 'operator', 'approver', 'admin'));
