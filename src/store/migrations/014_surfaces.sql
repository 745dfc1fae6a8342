-- What the dashboard and API filter and page by, served by indexes at 100,000 people.
create index people_department_idx on people (department, lower(user_name));
-- Request records per app over a window (rate-budget use) and failures per app (health).
create index audit_events_app_at_idx on audit_events (app_name, at) where app_name is not null;
-- A person's timeline: changes name the person in their target (<app>/<kind>/<person id>[/<group>]).
create index audit_events_change_person_idx on audit_events (split_part(target, '/', 3)) where starts_with(action, 'change.');
create index audit_events_target_idx on audit_events (target);
create index audit_events_actor_idx on audit_events (lower(actor));
