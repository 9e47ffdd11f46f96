-- Audit trail: append-only, partitioned by month. Kept outside Strapi's content types (Strapi's
-- schema sync does not know partitioned tables); written and read with knex by
-- cms/src/security/audit.ts. Idempotent: applied at every start (cms/src/bootstrap/database-sql.ts).
--
-- Two roles (production; docs/security/audit-and-pii-at-rest.md): the table, its partitions and the
-- functions below belong to an owner role (e.g. preschool_audit_owner, NOLOGIN); the application's
-- role may only INSERT and SELECT, and asks the owner's SECURITY DEFINER functions for next
-- months' partitions and for the retention cut. {schema}.audit_hand_over(owner, app) moves an
-- existing trail to its owner. Once handed over, a start by the application's role installs
-- nothing here: it only asks for the partitions (it could not change the owner's objects anyway).
-- The quick start runs as one role, which then owns everything (and could erase the trail).
DO $install$
DECLARE
  trail_owner name;
BEGIN
  SELECT pg_get_userbyid(c.relowner) INTO trail_owner
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relname = 'audit_entries' AND n.nspname = trim(both '"' from '{schema}');
  IF trail_owner IS NOT NULL AND NOT pg_has_role(current_user, trail_owner, 'MEMBER') THEN
    PERFORM {schema}.audit_ensure_partitions();
    RETURN;
  END IF;

  CREATE TABLE IF NOT EXISTS {schema}.audit_entries (
    id bigserial,
    at timestamptz NOT NULL DEFAULT now(),
    actor_id integer,
    actor_username varchar(255),
    actor_level varchar(32),
    on_behalf_of_id integer,
    on_behalf_of_username varchar(255),
    ip varchar(64),
    action varchar(64) NOT NULL,
    target_type varchar(128),
    target_id varchar(128),
    outcome varchar(16) NOT NULL DEFAULT 'ok',
    details jsonb,
    PRIMARY KEY (id, at)
  ) PARTITION BY RANGE (at);

  -- Rows of a month without its partition (a server running for months without restart) land here.
  CREATE TABLE IF NOT EXISTS {schema}.audit_entries_default PARTITION OF {schema}.audit_entries DEFAULT;

  CREATE INDEX IF NOT EXISTS audit_entries_at_idx ON {schema}.audit_entries (at);
  CREATE INDEX IF NOT EXISTS audit_entries_actor_idx ON {schema}.audit_entries (actor_username, at);
  CREATE INDEX IF NOT EXISTS audit_entries_action_idx ON {schema}.audit_entries (action, at);

  -- Append-only: UPDATE, DELETE and TRUNCATE are refused, whoever asks (the owner too).
  CREATE OR REPLACE FUNCTION {schema}.audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
  END $fn$;

  -- Row triggers of the parent are cloned to every partition by PostgreSQL; TRUNCATE triggers are
  -- not: audit_ensure_partitions gives each partition its own.
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'audit_entries_no_change' AND tgrelid = '{schema}.audit_entries'::regclass) THEN
    CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON {schema}.audit_entries FOR EACH ROW EXECUTE FUNCTION {schema}.audit_entries_append_only();
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'audit_entries_no_truncate' AND tgrelid = '{schema}.audit_entries'::regclass) THEN
    CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON {schema}.audit_entries FOR EACH STATEMENT EXECUTE FUNCTION {schema}.audit_entries_append_only();
  END IF;

  -- Last month to three months ahead (called at every start and daily by cms/src/security/audit.ts),
  -- and a TRUNCATE trigger on every partition, also on one a DBA attached by hand.
  CREATE OR REPLACE FUNCTION {schema}.audit_ensure_partitions() RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $fn$
  DECLARE
    first date;
    part_name text;
    created integer := 0;
    part record;
  BEGIN
    FOR i IN -1..3 LOOP
      first := (date_trunc('month', now()) + make_interval(months => i))::date;
      part_name := 'audit_entries_' || to_char(first, 'YYYYMM');
      IF to_regclass(format('%s.%I', '{schema}', part_name)) IS NULL THEN
        BEGIN
          EXECUTE format('CREATE TABLE %s.%I PARTITION OF %s.audit_entries FOR VALUES FROM (%L) TO (%L)',
            '{schema}', part_name, '{schema}', first, (first + interval '1 month')::date);
          created := created + 1;
        EXCEPTION WHEN others THEN
          -- e.g. rows of that month already in the default partition: they stay there
          RAISE NOTICE 'audit partition %: %', part_name, SQLERRM;
        END;
      END IF;
    END LOOP;
    FOR part IN SELECT i.inhrelid::regclass AS rel FROM pg_inherits i WHERE i.inhparent = '{schema}.audit_entries'::regclass LOOP
      IF NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = part.rel AND t.tgname = 'audit_entries_no_truncate') THEN
        EXECUTE format('CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s.audit_entries_append_only()',
          part.rel, '{schema}');
      END IF;
    END LOOP;
    RETURN created;
  END $fn$;

  -- Retention (config/security.json audit.retentionDays): drops the monthly partitions wholly older
  -- than the retention period, never one younger than 6 months (MLPS level 3 keeps the trail at
  -- least 6 months; the floor is here, in the owner's function, so the application's role cannot
  -- lower it). Rows in the default partition are left to a DBA. Returns the partitions dropped.
  CREATE OR REPLACE FUNCTION {schema}.audit_drop_expired(retention_days integer) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $fn$
  DECLARE
    cutoff timestamptz := least(now() - make_interval(days => greatest(coalesce(retention_days, 0), 0)), now() - interval '6 months');
    part record;
    upper_bound timestamptz;
    dropped integer := 0;
  BEGIN
    FOR part IN SELECT c.oid::regclass AS rel, pg_get_expr(c.relpartbound, c.oid) AS bound
                  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                 WHERE i.inhparent = '{schema}.audit_entries'::regclass LOOP
      CONTINUE WHEN part.bound IS NULL OR part.bound = 'DEFAULT';
      upper_bound := substring(part.bound from 'TO \(''([^'']+)''\)')::timestamptz;
      IF upper_bound IS NOT NULL AND upper_bound <= cutoff THEN
        EXECUTE format('ALTER TABLE %s.audit_entries DETACH PARTITION %s', '{schema}', part.rel);
        EXECUTE format('DROP TABLE %s', part.rel);
        dropped := dropped + 1;
      END IF;
    END LOOP;
    RETURN dropped;
  END $fn$;

  -- The operator's step of the two-role setup, run once by a superuser (not by the application):
  -- the trail and its functions go to owner_role; app_role keeps INSERT and SELECT on the table and
  -- EXECUTE on the two maintenance functions, nothing else.
  CREATE OR REPLACE FUNCTION {schema}.audit_hand_over(owner_role name, app_role name) RETURNS void LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp AS $fn$
  DECLARE
    part record;
    schema_owner name;
  BEGIN
    IF owner_role = app_role OR pg_has_role(app_role, owner_role, 'MEMBER') THEN
      RAISE EXCEPTION 'the application role % must not be (a member of) the audit owner role %', app_role, owner_role;
    END IF;
    SELECT pg_get_userbyid(n.nspowner) INTO schema_owner FROM pg_namespace n WHERE n.nspname = trim(both '"' from '{schema}');
    IF pg_has_role(app_role, schema_owner, 'MEMBER') THEN
      RAISE EXCEPTION 'the application role % owns the schema % (as %): it could drop the audit table; give the schema to another role first', app_role, '{schema}', schema_owner;
    END IF;
    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %s TO %I', '{schema}', owner_role);
    EXECUTE format('ALTER TABLE %s.audit_entries OWNER TO %I', '{schema}', owner_role);
    EXECUTE format('REVOKE ALL ON %s.audit_entries FROM PUBLIC, %I', '{schema}', app_role);
    FOR part IN SELECT i.inhrelid::regclass AS rel FROM pg_inherits i WHERE i.inhparent = '{schema}.audit_entries'::regclass LOOP
      EXECUTE format('ALTER TABLE %s OWNER TO %I', part.rel, owner_role);
      EXECUTE format('REVOKE ALL ON %s FROM PUBLIC, %I', part.rel, app_role);
    END LOOP;
    EXECUTE format('GRANT SELECT, INSERT ON %s.audit_entries TO %I', '{schema}', app_role);
    EXECUTE format('GRANT USAGE ON SEQUENCE %s.audit_entries_id_seq TO %I', '{schema}', app_role);
    EXECUTE format('ALTER FUNCTION %s.audit_entries_append_only() OWNER TO %I', '{schema}', owner_role);
    EXECUTE format('ALTER FUNCTION %s.audit_ensure_partitions() OWNER TO %I', '{schema}', owner_role);
    EXECUTE format('ALTER FUNCTION %s.audit_drop_expired(integer) OWNER TO %I', '{schema}', owner_role);
    EXECUTE format('ALTER FUNCTION %s.audit_hand_over(name, name) OWNER TO %I', '{schema}', owner_role);
    EXECUTE format('REVOKE ALL ON FUNCTION %s.audit_entries_append_only(), %s.audit_ensure_partitions(), %s.audit_drop_expired(integer), %s.audit_hand_over(name, name) FROM PUBLIC',
      '{schema}', '{schema}', '{schema}', '{schema}');
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s.audit_ensure_partitions(), %s.audit_drop_expired(integer) TO %I', '{schema}', '{schema}', app_role);
  END $fn$;

  PERFORM {schema}.audit_ensure_partitions();
END $install$;
