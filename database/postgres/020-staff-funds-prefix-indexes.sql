-- Staff, aid and project records are scoped and summed by a prefix of their county or region code
-- (LIKE '3505%'): text_pattern_ops lets a county or prefecture read only its part (see 001).
CREATE INDEX IF NOT EXISTS staff_members__county_code__pattern ON {schema}.staff_members (county_code text_pattern_ops);
CREATE INDEX IF NOT EXISTS training_records__county_code__pattern ON {schema}.training_records (county_code text_pattern_ops);
CREATE INDEX IF NOT EXISTS aid_grants__county_code__pattern ON {schema}.aid_grants (county_code text_pattern_ops);
CREATE INDEX IF NOT EXISTS aid_disbursements__county_code__pattern ON {schema}.aid_disbursements (county_code text_pattern_ops);
CREATE INDEX IF NOT EXISTS projects__region_code__pattern ON {schema}.projects (region_code text_pattern_ops);
CREATE INDEX IF NOT EXISTS project_progress_reports__region_code__pattern ON {schema}.project_progress_reports (region_code text_pattern_ops);
