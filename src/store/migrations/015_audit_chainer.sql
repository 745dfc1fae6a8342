-- The audit trail is chained after the fact: a writer only inserts its events (no lock held to
-- commit), and a chainer links committed events in batches, under one advisory lock, giving each
-- its place in the chain (seq) and its hashes. Events chained before keep their order.
alter table audit_events add column seq bigint;
-- The trail's own trigger refuses every update: events already written get their place past it.
alter table audit_events disable trigger audit_events_no_update;
update audit_events set seq = id;
alter table audit_events enable trigger audit_events_no_update;
create unique index audit_events_seq_key on audit_events (seq);
create index audit_events_unchained_idx on audit_events (id) where seq is null;

-- Still append-only; the one update allowed is chaining an event that is not chained yet,
-- changing nothing else about it.
create or replace function audit_events_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and old.seq is null and old.hash is null and new.seq is not null and new.hash is not null
     and row(new.id, new.at, new.actor, new.action, new.app_name, new.target, new.outcome, new.detail)
         is not distinct from row(old.id, old.at, old.actor, old.action, old.app_name, old.target, old.outcome, old.detail) then
    return new;
  end if;
  raise exception 'audit_events is append-only';
end;
$$;

-- A User shows the IdP groups it belongs to (read-only `groups`, RFC 7643 §4.1.2): a membership
-- change touches the person's row, so their version (ETag) moves with it.
-- PL/pgSQL, so its plan is made once per session, not once per query.
create or replace function person_doc(p people) returns jsonb language plpgsql stable as $$
begin
  return coalesce(p.scim, jsonb_strip_nulls(jsonb_build_object(
      'schemas', case when p.department is not null or p.manager_id is not null
                      then '["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]'::jsonb
                      else '["urn:ietf:params:scim:schemas:core:2.0:User"]'::jsonb end,
      'externalId', p.external_id,
      'userName', p.user_name,
      'displayName', p.display_name,
      'name', nullif(jsonb_strip_nulls(jsonb_build_object('givenName', p.given_name, 'familyName', p.family_name)), '{}'::jsonb),
      'emails', (select jsonb_agg(jsonb_build_object('value', e.value, 'type', 'work', 'primary', e.n = 1) order by e.n)
                   from jsonb_array_elements_text(p.emails) with ordinality as e(value, n)),
      'active', p.active,
      'title', p.title,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
        nullif(jsonb_strip_nulls(jsonb_build_object('department', p.department,
          'manager', case when p.manager_id is null then null else jsonb_build_object('value', p.manager_id) end)), '{}'::jsonb)
    )))
    || coalesce((select jsonb_build_object('groups', jsonb_agg(jsonb_build_object('value', g.id, 'display', g.display_name, 'type', 'direct') order by lower(g.display_name), g.id))
                   from idp_group_members m join idp_groups g on g.id = m.group_id where m.person_id = p.id having count(*) > 0), '{}'::jsonb)
    || jsonb_build_object('id', p.id, 'meta', jsonb_build_object('resourceType', 'User', 'created', scim_timestamp(p.created_at),
         'lastModified', scim_timestamp(p.updated_at), 'version', 'W/"' || p.version || '"'));
end;
$$;

