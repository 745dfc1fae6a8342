-- The names of the groups an app holds, as its sync read them: policy's groups are checked against them.
alter table sync_runs add column app_groups jsonb;
