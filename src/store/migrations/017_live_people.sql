-- The live people in id order: SCIM's default paging (and its total) reads this index alone.
create index people_live_id_idx on people (id) where deleted_at is null;
