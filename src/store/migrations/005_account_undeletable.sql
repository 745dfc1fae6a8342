-- Why an app will not let roster delete an account (a ZIA admin), as the connector reports it;
-- null when it can be deleted. The planner holds such a delete with this reason.
alter table accounts add column undeletable text;
