-- The account's role in the app (where the app has roles), so the planner compares it with the
-- policy's; and why an account is not yet in use (an invitation not yet accepted), null otherwise:
-- the planner never activates such an account.
alter table accounts add column role text;
alter table accounts add column pending text;
