-- Operations are claimed by leases that expire, not by asking whether a pid lives.
-- 'staged': written to an app that stages writes (ZIA) and not live yet; 'skipped': not carried
-- out because it no longer held, or its plan or change was rejected, with the reason kept.
alter table operations drop constraint operations_state_check;
alter table operations add constraint operations_state_check check (state in ('queued', 'running', 'staged', 'done', 'failed', 'skipped'));
alter table operations add column lease_until timestamptz;
alter table operations add column waits integer not null default 0;
create index operations_lease_idx on operations (state, lease_until);

-- A plan is tamper-evident: its digest covers its basis, its body and the policy in force, which
-- is kept whole so a loosened rule is visible later.
alter table plans add column digest text;
alter table plans add column policy jsonb not null default '{}';

-- An approval names the exact plan content it approved.
alter table approvals add column plan_digest text;

-- The audit trail is a hash chain: each event carries the hash of the one before.
alter table audit_events add column prev_hash text;
alter table audit_events add column hash text;
