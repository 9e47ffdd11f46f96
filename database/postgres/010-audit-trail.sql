-- Audit trail: append-only, partitioned by month. Kept outside Strapi's content types
-- (Strapi's schema sync does not know partitioned tables); written and read with knex by
-- cms/src/security/audit.ts. Idempotent: applied at every start (cms/src/bootstrap/database-sql.ts).
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

-- Last month to three months ahead, at every start.
DO $$
DECLARE
  first date;
BEGIN
  FOR i IN -1..3 LOOP
    first := (date_trunc('month', now()) + make_interval(months => i))::date;
    BEGIN
      EXECUTE format('CREATE TABLE IF NOT EXISTS %s.%I PARTITION OF %s.audit_entries FOR VALUES FROM (%L) TO (%L)',
        '{schema}', 'audit_entries_' || to_char(first, 'YYYYMM'), '{schema}', first, (first + interval '1 month')::date);
    EXCEPTION WHEN others THEN
      RAISE NOTICE 'audit partition %: %', to_char(first, 'YYYYMM'), SQLERRM;
    END;
  END LOOP;
END $$;

CREATE INDEX IF NOT EXISTS audit_entries_at_idx ON {schema}.audit_entries (at);
CREATE INDEX IF NOT EXISTS audit_entries_actor_idx ON {schema}.audit_entries (actor_username, at);
CREATE INDEX IF NOT EXISTS audit_entries_action_idx ON {schema}.audit_entries (action, at);

-- Append-only: UPDATE, DELETE and TRUNCATE are refused, whoever asks. Retention (at least 180 days)
-- is ended only by a DBA detaching and archiving a whole month's partition.
CREATE OR REPLACE FUNCTION {schema}.audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE t.tgname = 'audit_entries_no_change' AND c.relname = 'audit_entries' AND n.nspname = trim(both '"' from '{schema}')) THEN
    EXECUTE 'CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON {schema}.audit_entries FOR EACH ROW EXECUTE FUNCTION {schema}.audit_entries_append_only()';
    EXECUTE 'CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON {schema}.audit_entries FOR EACH STATEMENT EXECUTE FUNCTION {schema}.audit_entries_append_only()';
  END IF;
END $$;
