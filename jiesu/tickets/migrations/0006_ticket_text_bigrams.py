"""PostgreSQL only: a GIN index of the two-character pieces (bigrams) of each ticket's title and
content, so that a keyword search, two-character Chinese words included (噪音, 停车), does not scan
the whole table. Chinese has no spaces to split words at, so full-text parsers see one long word;
bigrams need no dictionary and find any substring of two characters or more. The list search asks
for tickets whose bigrams contain all of the keyword's (jiesu.tickets.selectors_search) and then
rechecks the plain substring match on the rows found. SQLite keeps the plain scan."""

from django.db import migrations

from jiesu.core.sql import postgresql_only

# upper() as Django's case-insensitive LIKE does, so the index never misses a row it would match.
# COST: generating the bigrams of a row is dear, so the planner should use the index rather than
# compute them row by row as a filter.
FORWARD = r"""
CREATE FUNCTION jiesu_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT coalesce(array_agg(substr(folded, i, 2)), '{}')
    FROM (SELECT upper(value) AS folded) AS v, generate_series(1, char_length(folded) - 1) AS i
$$;

-- A tsvector rather than an array: GIN answers `tsvector @@ a & b` without rechecking rows, while
-- `array @> array` always rechecks, recomputing the bigrams of every row found. The two functions
-- below repeat jiesu_bigrams' expression instead of calling it: pg_restore runs with an empty
-- search_path, where an unqualified call to our own function is not found and the index fails.
CREATE FUNCTION jiesu_ticket_bigrams(title text, content text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT array_to_tsvector(coalesce(array_agg(substr(folded, i, 2)), '{}'))
    FROM (SELECT upper(title || E'\n' || content) AS folded) AS v, generate_series(1, char_length(folded) - 1) AS i
$$;

-- Every bigram of the word, each quoted as a tsquery lexeme (quotes doubled, backslashes escaped).
CREATE FUNCTION jiesu_bigram_query(word text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT string_agg('''' || replace(replace(substr(folded, i, 2), '\', '\\'), '''', '''''') || '''', ' & ')::tsquery
    FROM (SELECT upper(word) AS folded) AS v, generate_series(1, char_length(folded) - 1) AS i
$$;

-- Stored, not an expression index: a plan that walks tickets newest first and tests each row
-- (the list's first page of a common word) then reads the column instead of recomputing the
-- bigrams of every row it passes, which cost seconds at a million tickets.
ALTER TABLE tickets_ticket
    ADD COLUMN text_bigrams tsvector GENERATED ALWAYS AS (jiesu_ticket_bigrams(title, content)) STORED;
CREATE INDEX ticket_text_bigrams ON tickets_ticket USING gin (text_bigrams);
"""

BACKWARD = """
DROP INDEX IF EXISTS ticket_text_bigrams;
ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS text_bigrams;
DROP FUNCTION IF EXISTS jiesu_bigram_query(text);
DROP FUNCTION IF EXISTS jiesu_ticket_bigrams(text, text);
DROP FUNCTION IF EXISTS jiesu_bigrams(text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0005_reply_elements"),
    ]

    operations = [
        postgresql_only(FORWARD, BACKWARD),
    ]
