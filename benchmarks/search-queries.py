#!/usr/bin/env python3
"""EXPLAIN (ANALYZE, BUFFERS) of the content query for the first searches of SearchBenchmarks'
mix (QueryWords), both tiers, as PostgresSearchIndex runs it for a reader in no group; psql input
on stdout. search-queries.py [COUNT] [--btree] Used by diagnose-search.py; keep it in step with PostgresSearchIndex.SearchContentTierAsync."""
import datetime, sys

FRENCH = ["réseau", "réseaux", "équipe", "équipes", "projet", "projets", "réunion", "déploiement", "serveur", "serveurs",
          "client", "clients", "qualité", "sécurité", "formation", "stratégie", "budget", "innovation", "données", "analyse",
          "développement", "produit", "lancement", "retour", "expérience", "télétravail", "bureau", "événement", "nouvelle", "version"]
ENGLISH = ["network", "networks", "team", "teams", "project", "projects", "meeting", "deployment", "server", "servers",
           "customer", "customers", "quality", "security", "training", "strategy", "budget", "innovation", "data", "analysis",
           "development", "product", "launch", "feedback", "experience", "remote", "office", "event", "new", "release"]


def query_words(i):
    words = FRENCH if i % 2 == 0 else ENGLISH
    chosen = []
    for k in range(1 + i % 3):
        w = words[(i * 7 + k * 13) % 30]
        if w not in chosen:
            chosen.append(w)
    return chosen


now = datetime.datetime.now(datetime.timezone.utc)
prev = (now.replace(day=1) - datetime.timedelta(days=1))
months = " | ".join(f"'~m{d.strftime('%Y%m')}':D" for d in (now, prev))
TIERS = {"recent": "AND c.document @@ '%s'::tsquery" % months.replace("'", "''"),
         "older": "AND NOT c.document @@ '%s'::tsquery" % months.replace("'", "''")}
count = int(sys.argv[1]) if len(sys.argv) > 1 else 6
# --btree: the scopes as the btree of 0007 held them (before 0015_search_scope_lexemes.sql).
scopes = ("(c.scope = ANY(ARRAY['', '*']) OR c.group_id = ANY(ARRAY[]::text[]))" if "--btree" in sys.argv
          else "c.document @@ q.scopes")
print("\\pset pager off")
for i in range(count):
    parts = "ARRAY[%s]::text[]" % ", ".join("'%s'" % w for w in query_words(i))
    for tier, condition in TIERS.items():
        print(f"\\echo '--- search {i}: {' '.join(query_words(i))} ({tier} tier)'")
        print(f"""EXPLAIN (ANALYZE, BUFFERS)
WITH q AS (SELECT rse_search_query({parts}) AS query, NULL::tsquery AS excluded, {"NULL::tsquery" if "--btree" in sys.argv else "rse_search_scope_query(ARRAY['~p', '~o'])"} AS scopes),
hits AS (
    SELECT c.post_id, c.comment_id, c.author_id, c.group_id, c.body, c.language, c.created_at,
           ts_rank(c.document, q.query) * (0.2 + 0.8 / (1 + greatest(0, extract(epoch FROM (now() - c.created_at)) / 86400) / 7)) AS rank
      FROM rse_search_content c, q
     WHERE c.document @@ q.query
       AND (q.excluded IS NULL OR NOT c.document @@ q.excluded)
       AND {scopes}
       {condition}
     ORDER BY rank DESC, c.created_at DESC, c.post_id DESC, c.comment_id DESC
     LIMIT 40)
SELECT h.post_id, h.comment_id, h.author_id, h.group_id, h.body, '' FROM hits h, q
 ORDER BY h.rank DESC, h.created_at DESC, h.post_id DESC, h.comment_id DESC;""")
