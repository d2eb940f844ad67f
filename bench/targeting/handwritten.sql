-- handwritten.sql: for each rule set of targeting.sql, the query a competent
-- SQL analyst would write by hand for that one play (issue 17). targeting.sql
-- includes this file (\ir) after it creates rule_sets, checks that each query
-- returns the same rows as stormops.target_properties, then times it next to
-- the compiled statement.
--
-- The rules of the game:
--   * plain SQL, one statement per play, every value typed in for the bench's
--     context: as_of 2019-03-27 12:00-05 (= 17:00 UTC) and, where the rule set
--     has one, event 'noaa_ep_135504_hail'. Day windows are typed-in cutoffs
--     (as_of minus n times 24 hours, as the compiler and targeting.md count
--     them), so the answer does not depend on the session's time zone;
--   * only the indexes the extension creates (no index is added here); the
--     joins the analyst would choose: start from the most selective table,
--     EXISTS / LATERAL or a GROUP BY aggregate of behavior_events by hash;
--   * the same columns as target_properties (property_id, rank, similarity,
--     sii_score, uplift_score) and the same ranking: row_number() over uplift
--     desc nulls last, sii desc nulls last, property_id, or the play's
--     similarity order;
--   * similarity plays use the extension's C functions as an analyst with
--     stormops installed would: embedding_avg for the centroid,
--     cosine_to_centroid / l2_to_centroid per row, and ORDER BY ... LIMIT for
--     top_k (not the top_k aggregate; after the other filters there are only a
--     few hundred to a few thousand rows to sort). A dimension guard
--     (cardinality = the centroid's) keeps them exact on mixed data.
--
-- Adding a rule set to targeting.sql: add one row here with the same name
-- (the bench stops if a rule set has no hand-written query, or if the answers
-- differ).

CREATE TEMP TABLE handwritten (name text PRIMARY KEY, query text NOT NULL);

INSERT INTO handwritten VALUES
-- Event-triggered, two Frisco ZIPs, high-SES tracts, two personas, low
-- competition; the 300 most like the cohort's centroid (cosine >= 0.8),
-- cohort members excluded. Starts from the event's impacts (sii >= 75).
('Frisco-Alpha', $q$
WITH centroid AS (
  SELECT stormops.embedding_avg(p.embedding) AS c
    FROM stormops.cohorts co JOIN stormops.properties p ON p.property_id = co.property_id
   WHERE co.cohort_name = 'top_50_high_margin_conversions'
), scored AS (
  SELECT p.property_id, stormops.cosine_to_centroid(p.embedding, centroid.c) AS similarity,
         pi.sii_score, ps.uplift_score
    FROM stormops.property_impacts pi
    JOIN stormops.storm_events se ON se.event_id = pi.event_id
    JOIN stormops.properties p ON p.property_id = pi.property_id
    JOIN stormops.census_tracts ct ON ct.tract_geoid = p.tract_geoid
    JOIN stormops.zip_competition zc ON zc.zip = p.zip
    LEFT JOIN stormops.property_scores ps ON ps.property_id = p.property_id
    CROSS JOIN centroid
   WHERE pi.event_id = 'noaa_ep_135504_hail' AND pi.sii_score >= 75
     AND se.begin_at <= '2019-03-27 17:00+00' AND se.begin_at >= '2019-03-13 17:00+00'
     AND p.zip IN ('75034', '75035')
     AND ct.ses_tier = 'High' AND ct.median_household_income >= 100000
     AND p.persona IN ('Proof_Seeker', 'Status_Conscious')
     AND zc.competitor_pressure <= 0.4 AND zc.white_space_score >= 60
     AND cardinality(p.embedding) = cardinality(centroid.c)
     AND NOT EXISTS (SELECT FROM stormops.cohorts x
                      WHERE x.cohort_name = 'top_50_high_margin_conversions' AND x.property_id = p.property_id)
)
SELECT property_id, row_number() OVER (ORDER BY similarity DESC, property_id)::int AS rank,
       similarity, sii_score, uplift_score
  FROM scored
 WHERE similarity >= 0.8
 ORDER BY similarity DESC, property_id
 LIMIT 300
$q$),
-- No event: past customers in two Dallas ZIPs, high-SES tracts, hit by a
-- storm of the last 45 days (sii >= 60, the highest such impact), 1..10
-- contacts and a response rate >= 0.3. Starts from the ZIPs; the impacts and
-- the behaviour of those few properties through their primary-key /
-- (property_id, event_timestamp) indexes.
('Loyalty-DFW-HighSES', $q$
SELECT p.property_id,
       row_number() OVER (ORDER BY ps.uplift_score DESC NULLS LAST, imp.sii_score DESC NULLS LAST, p.property_id)::int AS rank,
       NULL::float8 AS similarity, imp.sii_score, ps.uplift_score
  FROM stormops.properties p
  JOIN stormops.census_tracts ct ON ct.tract_geoid = p.tract_geoid
  JOIN stormops.zip_competition zc ON zc.zip = p.zip
  CROSS JOIN LATERAL (SELECT max(pi.sii_score) AS sii_score
                        FROM stormops.property_impacts pi JOIN stormops.storm_events se ON se.event_id = pi.event_id
                       WHERE pi.property_id = p.property_id AND pi.sii_score >= 60
                         AND se.begin_at <= '2019-03-27 17:00+00' AND se.begin_at >= '2019-02-10 17:00+00') imp
  CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE b.event_type = 'contact') AS contacts,
                             count(*) FILTER (WHERE b.event_type = 'response') AS responses
                        FROM stormops.behavior_events b
                       WHERE b.property_id = p.property_id AND b.event_timestamp < '2019-03-27 17:00+00') beh
  LEFT JOIN stormops.property_scores ps ON ps.property_id = p.property_id
 WHERE p.zip IN ('75230', '75225') AND p.is_past_customer
   AND ct.ses_tier = 'High' AND ct.median_household_income >= 90000
   AND zc.competitor_pressure <= 0.8
   AND imp.sii_score IS NOT NULL
   AND beh.contacts BETWEEN 1 AND 10 AND beh.responses >= 0.3 * beh.contacts
 ORDER BY rank
$q$),
-- Neighbourhood look-alike: the 10 tracts nearest the two reference tracts'
-- centroid (1 / (1 + L2) >= 0.85, references excluded), then in each, of
-- the high/medium-SES tract, at most 50 properties hit in the last 30 days
-- (sii >= 70), best uplift first.
('Expansion-Lookalike', $q$
WITH centroid AS (
  SELECT stormops.embedding_avg(t.embedding) AS c
    FROM stormops.census_tracts t
   WHERE t.tract_geoid IN ('48113010101', '48113010102')
), near_tracts AS (
  SELECT t.tract_geoid, 1 / (1 + stormops.l2_to_centroid(t.embedding, centroid.c)) AS similarity
    FROM stormops.census_tracts t CROSS JOIN centroid
   WHERE t.tract_geoid NOT IN ('48113010101', '48113010102')
     AND cardinality(t.embedding) = cardinality(centroid.c)
     AND 1 / (1 + stormops.l2_to_centroid(t.embedding, centroid.c)) >= 0.85
   ORDER BY similarity DESC, t.tract_geoid
   LIMIT 10
), ranked AS (
  SELECT p.property_id, nt.similarity, nt.tract_geoid, imp.sii_score, ps.uplift_score,
         row_number() OVER (PARTITION BY nt.tract_geoid
                            ORDER BY ps.uplift_score DESC NULLS LAST, imp.sii_score DESC NULLS LAST, p.property_id) AS place
    FROM near_tracts nt
    JOIN stormops.census_tracts ct ON ct.tract_geoid = nt.tract_geoid
    JOIN stormops.properties p ON p.tract_geoid = nt.tract_geoid
    CROSS JOIN LATERAL (SELECT max(pi.sii_score) AS sii_score
                          FROM stormops.property_impacts pi JOIN stormops.storm_events se ON se.event_id = pi.event_id
                         WHERE pi.property_id = p.property_id AND pi.sii_score >= 70
                           AND se.begin_at <= '2019-03-27 17:00+00' AND se.begin_at >= '2019-02-25 17:00+00') imp
    LEFT JOIN stormops.property_scores ps ON ps.property_id = p.property_id
   WHERE ct.ses_tier IN ('High', 'Medium') AND imp.sii_score IS NOT NULL
)
SELECT property_id,
       row_number() OVER (ORDER BY similarity DESC, tract_geoid, uplift_score DESC NULLS LAST,
                                   sii_score DESC NULLS LAST, property_id)::int AS rank,
       similarity, sii_score, uplift_score
  FROM ranked
 WHERE place <= 50
 ORDER BY rank
$q$),
-- The event's impacts in one ZIP.
('one ZIP, one event', $q$
SELECT p.property_id,
       row_number() OVER (ORDER BY ps.uplift_score DESC NULLS LAST, pi.sii_score DESC NULLS LAST, p.property_id)::int AS rank,
       NULL::float8 AS similarity, pi.sii_score, ps.uplift_score
  FROM stormops.properties p
  JOIN stormops.property_impacts pi ON pi.property_id = p.property_id AND pi.event_id = 'noaa_ep_135504_hail'
  LEFT JOIN stormops.property_scores ps ON ps.property_id = p.property_id
 WHERE p.zip = '75034'
 ORDER BY rank
$q$),
-- The event's impacts with sii >= 50 on roofs installed in 2004 or before
-- (roof age = 2019 - install year >= 15).
('storm-wide, roofs 15+ years', $q$
SELECT p.property_id,
       row_number() OVER (ORDER BY ps.uplift_score DESC NULLS LAST, pi.sii_score DESC NULLS LAST, p.property_id)::int AS rank,
       NULL::float8 AS similarity, pi.sii_score, ps.uplift_score
  FROM stormops.property_impacts pi
  JOIN stormops.properties p ON p.property_id = pi.property_id
  LEFT JOIN stormops.property_scores ps ON ps.property_id = p.property_id
 WHERE pi.event_id = 'noaa_ep_135504_hail' AND pi.sii_score >= 50
   AND p.roof_install_year <= 2004
 ORDER BY rank
$q$),
-- No event: hit by any storm of the last 400 days (the highest sii), a
-- response rate >= 0.5, no conversion in the last 365 days, not a
-- Procrastinator. One pass over behavior_events, grouped by property (hash),
-- joined by hash to the impacted properties.
('recent responders, no event', $q$
WITH imp AS (
  SELECT pi.property_id, max(pi.sii_score) AS sii_score
    FROM stormops.property_impacts pi JOIN stormops.storm_events se ON se.event_id = pi.event_id
   WHERE se.begin_at <= '2019-03-27 17:00+00' AND se.begin_at >= '2018-02-20 17:00+00'
   GROUP BY pi.property_id
), beh AS (
  SELECT b.property_id,
         count(*) FILTER (WHERE b.event_type = 'contact') AS contacts,
         count(*) FILTER (WHERE b.event_type = 'response') AS responses,
         count(*) FILTER (WHERE b.event_type = 'conversion' AND b.event_timestamp >= '2018-03-27 17:00+00') AS recent_conversions
    FROM stormops.behavior_events b
   WHERE b.event_timestamp < '2019-03-27 17:00+00' AND b.event_type IN ('contact', 'response', 'conversion')
   GROUP BY b.property_id
)
SELECT p.property_id,
       row_number() OVER (ORDER BY ps.uplift_score DESC NULLS LAST, imp.sii_score DESC NULLS LAST, p.property_id)::int AS rank,
       NULL::float8 AS similarity, imp.sii_score, ps.uplift_score
  FROM imp
  JOIN beh ON beh.property_id = imp.property_id
  JOIN stormops.properties p ON p.property_id = imp.property_id
  LEFT JOIN stormops.property_scores ps ON ps.property_id = p.property_id
 WHERE beh.contacts > 0 AND beh.responses >= 0.5 * beh.contacts AND beh.recent_conversions = 0
   AND (p.persona IS NULL OR p.persona <> 'Procrastinator')
 ORDER BY rank
$q$);
