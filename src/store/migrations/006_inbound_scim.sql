-- Inbound SCIM: people and groups pushed by the IdP, their documents as sent, versions for ETags,
-- push tokens (hashed), and the SQL functions SCIM filters run on.

-- The SCIM body as the IdP sent it (canonical attribute names, no id or meta); null for people
-- from an import, whose document is built from their columns.
alter table people add column scim jsonb;
alter table people add column version integer not null default 1;
-- A person the IdP deleted: kept (inactive) so every app treats them as a leaver, hidden from SCIM.
alter table people add column deleted_at timestamptz;

-- Any write to a person bumps their version (the ETag). A write that changes what the document
-- shows without giving a new document (an import) drops the pushed one, so the two never disagree.
create function people_versioned() returns trigger language plpgsql as $$
begin
  if row(new.*) is distinct from row(old.*) then
    new.version := old.version + 1;
  end if;
  if new.scim is not distinct from old.scim and new.scim is not null
     and row(new.external_id, new.user_name, new.display_name, new.given_name, new.family_name, new.emails, new.active, new.department, new.title, new.manager_id)
         is distinct from row(old.external_id, old.user_name, old.display_name, old.given_name, old.family_name, old.emails, old.active, old.department, old.title, old.manager_id) then
    new.scim := null;
  end if;
  return new;
end;
$$;
create trigger people_versioned before update on people for each row execute function people_versioned();

create function scim_timestamp(t timestamptz) returns text language sql immutable as $$
  select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- A person as a SCIM User document: the pushed body, or one built from the columns; with id and meta.
-- PL/pgSQL, so its plan is made once per session, not once per query.
create function person_doc(p people) returns jsonb language plpgsql stable as $$
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
    || jsonb_build_object('id', p.id, 'meta', jsonb_build_object('resourceType', 'User', 'created', scim_timestamp(p.created_at),
         'lastModified', scim_timestamp(p.updated_at), 'version', 'W/"' || p.version || '"'));
end;
$$;

-- IdP groups, with their members.
create table idp_groups (
  id text primary key,
  external_id text,
  display_name text not null,
  scim jsonb not null,
  source text not null,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index idp_groups_display_name_key on idp_groups (lower(display_name));
create index idp_groups_external_id_idx on idp_groups (external_id);

create table idp_group_members (
  group_id text not null references idp_groups (id) on delete cascade,
  person_id text not null references people (id) on delete cascade,
  primary key (group_id, person_id)
);
create index idp_group_members_person_idx on idp_group_members (person_id);

create function idp_group_doc(g idp_groups, with_members boolean) returns jsonb language plpgsql stable as $$
begin
  return g.scim
    || case when with_members then coalesce((
         select case when count(*) = 0 then null
                     else jsonb_build_object('members', jsonb_agg(jsonb_strip_nulls(jsonb_build_object('value', p.id, 'display', p.display_name, 'type', 'User')) order by p.id)) end
           from idp_group_members m join people p on p.id = m.person_id where m.group_id = g.id), '{}'::jsonb)
       else '{}'::jsonb end
    || jsonb_build_object('id', g.id, 'meta', jsonb_build_object('resourceType', 'Group', 'created', scim_timestamp(g.created_at),
         'lastModified', scim_timestamp(g.updated_at), 'version', 'W/"' || g.version || '"'));
end;
$$;

-- SCIM push tokens: only a hash is kept; the value is shown once, when it is made.
create table scim_tokens (
  id text primary key,
  name text not null,
  hash text not null,
  scope text not null default 'scim:push',
  created_by text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create unique index scim_tokens_name_key on scim_tokens (lower(name)) where revoked_at is null;

-- SCIM filter helpers, mirroring the in-memory matcher (src/scim/filter-match.ts).
-- The values a JSON value holds: an array's elements, a non-null scalar or object itself, else none.
create function scim_list(v jsonb) returns setof jsonb language sql immutable as $$
  select e from jsonb_array_elements(case when jsonb_typeof(v) = 'array' then v else '[]'::jsonb end) as e
  union all
  select v where v is not null and jsonb_typeof(v) not in ('array', 'null')
$$;

-- The values an attribute reaches, flattened across multi-valued attributes and, given one, a sub-attribute.
create function scim_values(v jsonb, sub text) returns setof jsonb language sql immutable as $$
  select x from scim_list(v) as x where sub is null
  union all
  select y from scim_list(v) as x, scim_list(x -> sub) as y where sub is not null and jsonb_typeof(x) = 'object'
$$;

-- RFC 7644 "pr": not null, not empty, and for lists and objects some part present.
create function scim_present(v jsonb) returns boolean language plpgsql immutable as $$
begin
  case jsonb_typeof(v)
    when 'null' then return false;
    when 'string' then return v #>> '{}' <> '';
    when 'array' then return exists (select 1 from jsonb_array_elements(v) as e where scim_present(e));
    when 'object' then return exists (select 1 from jsonb_each(v) as kv where scim_present(kv.value));
    else return v is not null;
  end case;
end;
$$;

-- Milliseconds since the epoch of an xsd:dateTime with a zone, or null for any other text.
create function scim_time(t text) returns double precision language plpgsql immutable as $$
begin
  if t is null or t !~* '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$' then
    return null;
  end if;
  return floor(extract(epoch from t::timestamptz) * 1000);
exception when others then
  return null;
end;
$$;
