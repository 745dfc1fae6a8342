-- A plan narrowed to some people (an IdP push) counts what the app had switched off lately: its
-- circuit breaker reads this index, not every operation.
create index operations_switched_off_idx on operations (app_name, updated_at) where kind in ('deactivate', 'delete');
