-- Timing helpers shared by the benchmarks' SQL (\ir ../timing.sql):
-- pg_temp.elapsed_ms(sql) runs a statement and returns its wall-clock time
-- inside the server; pg_temp.median(float8[]) is the median of the runs.
CREATE FUNCTION pg_temp.elapsed_ms(sql text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  EXECUTE sql;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
CREATE FUNCTION pg_temp.median(float8[]) RETURNS float8 LANGUAGE sql IMMUTABLE AS
  $$ SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest($1) x $$;
-- For the benchmarks that record runs in a temp table timing(figure text,
-- ord int, ms float8): pg_temp.timing_medians() summarizes each figure in
-- ord order; pg_temp.timing_ratio(a, b) is the median of ord a over ord b's.
CREATE FUNCTION pg_temp.timing_medians()
RETURNS TABLE (figure text, runs bigint, median_ms numeric, min_ms numeric, max_ms numeric)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
  SELECT t.figure, count(*), round(pg_temp.median(array_agg(t.ms))::numeric, 1),
         round(min(t.ms)::numeric, 1), round(max(t.ms)::numeric, 1)
    FROM timing t GROUP BY t.figure, t.ord ORDER BY t.ord;
END $$;
CREATE FUNCTION pg_temp.timing_ratio(a int, b int) RETURNS numeric LANGUAGE plpgsql AS $$
BEGIN
  RETURN round((SELECT pg_temp.median(array_agg(t.ms)) FROM timing t WHERE t.ord = a)::numeric
               / (SELECT pg_temp.median(array_agg(t.ms)) FROM timing t WHERE t.ord = b)::numeric, 2);
END $$;
