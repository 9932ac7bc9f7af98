-- Marketing: activity of one campaign.
-- PROBLEM: jsonb containment (payload @> ...) without a GIN index reads all
-- events, although one campaign is ~0.4% of them.
\set camp random(1, 50)
SELECT type, count(*) AS events, count(DISTINCT customer_id) AS customers FROM events WHERE payload @> '{"campaign": "c_:camp"}' GROUP BY type ORDER BY events DESC;
