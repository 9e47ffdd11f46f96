-- The likely-duplicate search by a guardian's document (plugins/dup-check: likelyMatches and the
-- import's likelyMatchesMany) looks guardians up by their keyed hash (blind index). Without an
-- index that reads every guardian of the province (8.5 million for 5 million children).
CREATE INDEX IF NOT EXISTS components_family_guardians__id_key ON {schema}.components_family_guardians (id_key);
