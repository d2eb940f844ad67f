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
