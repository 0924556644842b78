"""PostgreSQL only: the bigram functions of 0006 with a linear-time body, same values.

0006 takes `substr(folded, i, 2)` for every i: on multibyte (UTF-8) text each substr walks the
string from its start, so a row of n characters costs O(n²), and the SQL body runs a small query
per call. The stored column calls `jiesu_ticket_bigrams` for every inserted ticket, which made it
the largest single cost of a ledger import on the server. Here the folded text is split into its
characters once (`string_to_array(…, NULL)`) and neighbours are paired in a PL/pgSQL loop
(array variables are kept expanded, so `chars[i]` is direct). Every function returns exactly what
0006's returns for every input, in the same order (jiesu/tickets/tests/test_import_bigrams.py
compares them), so the stored column and its GIN index stay valid and need no rebuild.

As in 0006, the bodies call only built-in functions: pg_restore recomputes the stored column with
an empty search_path, where an unqualified call to one of our own functions would not be found.
Reversing restores 0006's bodies.
"""

from django.db import migrations

from jiesu.core.sql import postgresql_only

FORWARD = r"""
CREATE OR REPLACE FUNCTION jiesu_bigrams(value text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
DECLARE
    chars text[] := string_to_array(upper(value), NULL);
    pieces text[] := '{}';
BEGIN
    FOR i IN 1 .. cardinality(chars) - 1 LOOP
        pieces := pieces || (chars[i] || chars[i + 1]);
    END LOOP;
    RETURN pieces;
END
$$;

CREATE OR REPLACE FUNCTION jiesu_ticket_bigrams(title text, content text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
DECLARE
    chars text[] := string_to_array(upper(title || E'\n' || content), NULL);
    pieces text[] := '{}';
BEGIN
    FOR i IN 1 .. cardinality(chars) - 1 LOOP
        pieces := pieces || (chars[i] || chars[i + 1]);
    END LOOP;
    RETURN array_to_tsvector(pieces);
END
$$;

-- 0006 aggregates no rows into NULL for a word of fewer than two characters: so does this.
CREATE OR REPLACE FUNCTION jiesu_bigram_query(word text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    chars text[] := string_to_array(upper(word), NULL);
    pieces text[] := '{}';
BEGIN
    IF cardinality(chars) < 2 THEN
        RETURN NULL;
    END IF;
    FOR i IN 1 .. cardinality(chars) - 1 LOOP
        pieces := pieces || ('''' || replace(replace(chars[i] || chars[i + 1], '\', '\\'), '''', '''''') || '''');
    END LOOP;
    RETURN array_to_string(pieces, ' & ')::tsquery;
END
$$;
"""

BACKWARD = r"""
CREATE OR REPLACE FUNCTION jiesu_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT coalesce(array_agg(substr(folded, i, 2)), '{}')
    FROM (SELECT upper(value) AS folded) AS v, generate_series(1, char_length(folded) - 1) AS i
$$;

CREATE OR REPLACE FUNCTION jiesu_ticket_bigrams(title text, content text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT array_to_tsvector(coalesce(array_agg(substr(folded, i, 2)), '{}'))
    FROM (SELECT upper(title || E'\n' || content) AS folded) AS v, generate_series(1, char_length(folded) - 1) AS i
$$;

CREATE OR REPLACE FUNCTION jiesu_bigram_query(word text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT string_agg('''' || replace(replace(substr(folded, i, 2), '\', '\\'), '''', '''''') || '''', ' & ')::tsquery
    FROM (SELECT upper(word) AS folded) AS v, generate_series(1, char_length(folded) - 1) AS i
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0014_reply_element_cues"),
    ]

    operations = [
        postgresql_only(FORWARD, BACKWARD),
    ]
