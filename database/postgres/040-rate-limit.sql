-- Per-IP rate limit on the auth routes: one row per address and fixed window, counted by every app
-- instance on this database (cms/src/security/rate-limit.ts), so instances behind a load balancer
-- share one budget per address. Old windows are deleted by the module now and then.
-- Idempotent: applied at every start (cms/src/bootstrap/database-sql.ts).
CREATE TABLE IF NOT EXISTS {schema}.rate_limit_windows (
  "key" varchar(128) NOT NULL,
  window_start bigint NOT NULL,
  "count" integer NOT NULL DEFAULT 0,
  PRIMARY KEY ("key", window_start)
);

CREATE INDEX IF NOT EXISTS rate_limit_windows_window_start_idx ON {schema}.rate_limit_windows (window_start);
