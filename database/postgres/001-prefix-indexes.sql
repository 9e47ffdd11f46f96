-- Every scope filter is a prefix test on a county code (Strapi's $startsWith, `LIKE '3505%'`).
-- Under a non-C collation a plain b-tree index cannot serve LIKE 'prefix%'; text_pattern_ops can.
CREATE INDEX IF NOT EXISTS kindergartens__county_code__pattern ON {schema}.kindergartens (county_code text_pattern_ops);
CREATE INDEX IF NOT EXISTS up_users__region_code__pattern ON {schema}.up_users (region_code text_pattern_ops);
