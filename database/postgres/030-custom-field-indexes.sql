-- Custom fields are stored as jsonb with the record; a list filter on one is a jsonb
-- containment test (`custom_fields @> '{"key": value}'`, cms/src/domain/custom-fields.ts filterOf).
-- A GIN index with jsonb_path_ops serves it, so a province-wide filter does not read every row.
CREATE INDEX IF NOT EXISTS children__custom_fields__gin ON {schema}.children USING gin (custom_fields jsonb_path_ops);
CREATE INDEX IF NOT EXISTS kindergartens__custom_fields__gin ON {schema}.kindergartens USING gin (custom_fields jsonb_path_ops);
CREATE INDEX IF NOT EXISTS staff_members__custom_fields__gin ON {schema}.staff_members USING gin (custom_fields jsonb_path_ops);
