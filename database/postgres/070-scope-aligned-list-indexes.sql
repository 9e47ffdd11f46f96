-- A county's (or a kindergarten's) list of children, one page in id order: `WHERE county_code = $1
-- [AND …] ORDER BY id LIMIT 25`. Without an index that starts with the scope's column and then gives
-- the order, PostgreSQL walks the primary key and filters out every other county's rows (2 million
-- rows for a page of a county in a province of 5 million). The panel's default order (by name) is
-- served by children__county_code_name and children__county_code_pinyin_key_name (the child's schema).
CREATE INDEX IF NOT EXISTS children__county_code_id ON {schema}.children (county_code, id);
CREATE INDEX IF NOT EXISTS children__institution_code_id ON {schema}.children (institution_code, id);
