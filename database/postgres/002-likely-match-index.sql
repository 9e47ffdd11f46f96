-- The likely-duplicate search (plugins/dup-check sameDayNameMatches) reads every child born the same
-- day with the same sex (about 1,700 in a province of 5 million) and filters their names. With the
-- names in the index, PostgreSQL answers from the index alone instead of visiting ~3,400 heap pages.
CREATE INDEX IF NOT EXISTS children__likely_match ON {schema}.children (birth_date, sex) INCLUDE (name, pinyin_key, document_id, institution_code, county_code);
