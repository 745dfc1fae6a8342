-- A running sync's sign of life, renewed as it reads pages. A run whose heartbeat is older than the
-- lease (see syncLeaseMs) was interrupted (its process killed or its host lost); the next sync of
-- the app records it as such instead of leaving it "running" forever.
alter table sync_runs add column heartbeat_at timestamptz not null default now();
alter table sync_runs drop constraint sync_runs_status_check;
alter table sync_runs add constraint sync_runs_status_check check (status in ('running', 'succeeded', 'failed', 'interrupted'));
