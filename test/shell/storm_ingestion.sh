#!/usr/bin/env bash
# Loading storm files with bin/stormops-load: good rows become events and
# reports, bad rows rejects with their reason, a file loaded twice changes
# nothing, a malformed file leaves nothing behind. NOAA and SPC formats, on
# small generated files.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
export PGDATABASE=stormops_ingestion
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-ingest.XXXXXX")
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$PGDATABASE'" >/dev/null 2>&1; rm -rf "$work"' EXIT
psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "CREATE EXTENSION stormops"

fail=0
check() {  # check NAME SQL EXPECTED
  local got
  got=$(psql -X -At -c "$2")
  if [ "$got" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: got [$got], want [$3]"; fail=1; fi
}

# --- NOAA: a header and rows of the 51 columns, only the fields we read filled
noaa_row() {  # episode event type begin_date_time tz end_date_time magnitude lat lon
  printf '201903,24,1735,201903,24,1735,%s,%s,TEXAS,48,2019,March,%s,C,85,COLLIN,FWD,%s,%s,%s,0,0,0,0,0.00K,0.00K,Public,%s,,,,,,,,,,,0,,PLANO,0,,PLANO,%s,%s,%s,%s,"An episode, with a comma","An event",CSV\n' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "$8" "$9"
}
{
  echo 'BEGIN_YEARMONTH,BEGIN_DAY,BEGIN_TIME,END_YEARMONTH,END_DAY,END_TIME,EPISODE_ID,EVENT_ID,STATE,STATE_FIPS,YEAR,MONTH_NAME,EVENT_TYPE,CZ_TYPE,CZ_FIPS,CZ_NAME,WFO,BEGIN_DATE_TIME,CZ_TIMEZONE,END_DATE_TIME,INJURIES_DIRECT,INJURIES_INDIRECT,DEATHS_DIRECT,DEATHS_INDIRECT,DAMAGE_PROPERTY,DAMAGE_CROPS,SOURCE,MAGNITUDE,MAGNITUDE_TYPE,FLOOD_CAUSE,CATEGORY,TOR_F_SCALE,TOR_LENGTH,TOR_WIDTH,TOR_OTHER_WFO,TOR_OTHER_CZ_STATE,TOR_OTHER_CZ_FIPS,TOR_OTHER_CZ_NAME,BEGIN_RANGE,BEGIN_AZIMUTH,BEGIN_LOCATION,END_RANGE,END_AZIMUTH,END_LOCATION,BEGIN_LAT,BEGIN_LON,END_LAT,END_LON,EPISODE_NARRATIVE,EVENT_NARRATIVE,DATA_SOURCE'
  noaa_row 900 9001 Hail '24-MAR-19 17:35:00' CST-6 '24-MAR-19 17:35:00' 1.75 33.15 -96.81
  noaa_row 900 9002 Hail '24-MAR-19 17:43:00' CST-6 '24-MAR-19 17:50:00' 4.50 33.1444 -96.7091
  noaa_row 900 9003 'Thunderstorm Wind' '24-MAR-19 18:00:00' CST-6 '24-MAR-19 18:00:00' 61 33.13 -96.67
  noaa_row 901 9004 'Flash Flood' '24-MAR-19 19:00:00' CST-6 '24-MAR-19 21:00:00' '' '' ''
  noaa_row 902 9005 Hail '31-FEB-19 17:00:00' CST-6 '31-FEB-19 17:00:00' 1.00 33.0 -97.0
  noaa_row 902 9006 Hail '24-MAR-19 17:00:00' CST-6 '24-MAR-19 17:00:00' 1.00 95.0 -97.0
  noaa_row 902 '' Hail '24-MAR-19 17:00:00' CST-6 '24-MAR-19 17:00:00' 1.00 33.0 -97.0
  noaa_row 903 9007 Hail '24-MAR-19 17:00:00' CST '24-MAR-19 17:00:00' 1.00 33.0 -97.0
  noaa_row 903 9008 Hail '24-MAR-19 17:00:00' CST-6 '24-MAR-19 17:00:00' 1.00 33.0 -197.0
  noaa_row 903 9009 Hail '24-MAR-19 17:00:00' CST-6 '24-MAR-19 17:00:00' 1.00 33.0 ''
  noaa_row 903 9010 Hail '24-MAR-19 17:00:00' CST-6 '24-MAR-19 17:00:00' big 33.0 -97.0
  noaa_row 903 9011 Hail '24-MAR-19 17:00:00' CST-6 '24-MAR-19 17:00:00' -1.00 33.0 -97.0
  noaa_row 903 9012 '4th Kind' '24-MAR-19 17:00:00' CST-6 '24-MAR-19 17:00:00' 1.00 33.0 -97.0
  noaa_row 90x 9013 Hail '24-MAR-19 17:00:00' CST-6 '24-MAR-19 17:00:00' 1.00 33.0 -97.0
  noaa_row 903 9014 Hail '24-MAR-19 17:00:00' CST-6 '24-MAR-19 17:00:00' 1.00 'north' -97.0
  noaa_row 903 9015 '' '24-MAR-19 17:00:00' CST-6 '24-MAR-19 17:00:00' 1.00 33.0 -97.0
} > "$work/noaa.csv"
# NOAA files are Latin-1: one narrative with an e-acute byte (0xE9), not UTF-8
sed -i '/,9006,/s/"An event"/"Hail by the caf\xe9"/' "$work/noaa.csv"
gzip -c "$work/noaa.csv" > "$work/noaa.csv.gz"

out=$("$repo/bin/stormops-load" noaa "$work/noaa.csv")
echo "$out"
[ "$(echo "$out" | tail -1 | tr -d ' ')" = "3|3|12" ] && echo "ok - NOAA totals: 3 events, 3 reports, 12 rejected" || { echo "not ok - NOAA totals"; fail=1; }
check "an event per episode and type" "SELECT string_agg(event_id || ':' || event_type, ',' ORDER BY event_id) FROM stormops.storm_events" \
  "noaa_ep_900_hail:hail,noaa_ep_900_wind:wind,noaa_ep_901_flash_flood:flash_flood"
check "a report per NOAA event with a place" "SELECT string_agg(report_id, ',' ORDER BY report_id) FROM stormops.storm_reports" \
  "noaa_9001,noaa_9002,noaa_9003"
check "CST-6 read as UTC-6; the episode spans its reports" \
  "SELECT begin_at AT TIME ZONE 'UTC' || ' ' || end_at AT TIME ZONE 'UTC' FROM stormops.storm_events WHERE event_id = 'noaa_ep_900_hail'" \
  "2019-03-24 23:35:00 2019-03-24 23:50:00"
check "hail in inches, the event's the largest" "SELECT magnitude FROM stormops.storm_events WHERE event_id = 'noaa_ep_900_hail'" "4.50"
check "thunderstorm wind from knots to mph" "SELECT magnitude FROM stormops.storm_events WHERE event_id = 'noaa_ep_900_wind'" "70.2"
check "the event's centroid is its reports'" \
  "SELECT round(lat::numeric, 4) || ' ' || round(lon::numeric, 4) FROM stormops.storm_events WHERE event_id = 'noaa_ep_900_hail'" \
  "33.1472 -96.7596"
check "rejects and their reasons" "SELECT string_agg(reason, ' | ' ORDER BY reason) FROM stormops.ingest_rejects" \
  "BEGIN_DATE_TIME '24-MAR-19 17:00:00' in CZ_TIMEZONE 'CST' cannot be read | BEGIN_DATE_TIME '31-FEB-19 17:00:00' in CZ_TIMEZONE 'CST-6' cannot be read | BEGIN_LAT 95.0 is outside -90..90 | BEGIN_LAT or BEGIN_LON is not a number | BEGIN_LON -197.0 is outside -180..180 | EPISODE_ID is missing or not a number | EVENT_ID is missing or not a number | EVENT_TYPE '4th Kind' does not start with a letter | EVENT_TYPE is missing | MAGNITUDE is negative | MAGNITUDE is not a number | only one of BEGIN_LAT and BEGIN_LON is given"
check "the staging table is emptied" "SELECT count(*) FROM stormops.noaa_details_staging" "0"
check "Latin-1 text arrives as the database's UTF-8" \
  "SELECT row_data->>'event_narrative' FROM stormops.ingest_rejects WHERE source_id = '9006'" "Hail by the café"

snapshot="SELECT md5(string_agg(t, '' ORDER BY t)) FROM (SELECT to_jsonb(e)::text t FROM stormops.storm_events e
  UNION ALL SELECT (to_jsonb(r) - 'rejected_at' - 'reject_id')::text FROM stormops.ingest_rejects r
  UNION ALL SELECT to_jsonb(s)::text FROM stormops.storm_reports s) x"
before=$(psql -X -At -c "$snapshot")
"$repo/bin/stormops-load" noaa "$work/noaa.csv.gz" >/dev/null
check "loading the same file again (gzipped) changes nothing" "$snapshot" "$before"

# --- SPC: Time (UTC, HHMM), Size (hundredths of an inch), quoted comments with commas
cat > "$work/190324_rpts_hail.csv" <<'CSV'
Time,Size,Location,County,State,Lat,Lon,Comments
2333,175,3 S Frisco,Collin,TX,33.15,-96.81,"Golf ball hail, reported by public. (FWD)"
2343,450,Allen,Collin,TX,33.14,-96.71,"Softball size, photo, social media. (FWD)"
0130,100,Norman,Cleveland,OK,35.22,-97.44,"Quarter size, late, after midnight UTC. (OUN)"
2345,UNK,Nowhere,Collin,TX,33.10,-96.70,Size unknown
2346,-175,Nowhere,Collin,TX,33.10,-96.70,Negative size
2347,175,Nowhere,Collin,TX,33.10,,No longitude
2348,175,Nowhere,Collin,TX,33.10,-196.70,Longitude out of range
2349,175,Nowhere,Collin,Texas,33.10,-96.70,State spelled out
2350,175,Nowhere,Collin,TX,93.10,-96.70,Latitude out of range
9999,175,Nowhere,Collin,TX,33.10,-96.70,Not a time
CSV
out=$("$repo/bin/stormops-load" spc "$work/190324_rpts_hail.csv")
[ "$(echo "$out" | tail -1 | tr -d ' ')" = "2|3|7" ] && echo "ok - SPC totals: 2 events, 3 reports, 7 rejected" || { echo "not ok - SPC totals: $out"; fail=1; }
check "an SPC event per convective day and state" \
  "SELECT string_agg(event_id || ':' || magnitude, ',' ORDER BY event_id) FROM stormops.storm_events WHERE source = 'spc'" \
  "spc_20190324_hail_ok:1.00,spc_20190324_hail_tx:4.50"
check "SPC rejects and their reasons" "SELECT string_agg(reason, ' | ' ORDER BY reason) FROM stormops.ingest_rejects WHERE source = 'spc'" \
  "Lat 93.10 is outside -90..90 | Lat or Lon is missing or not a number | Lon -196.70 is outside -180..180 | Size '-175' is not a number of hundredths of an inch | Size 'UNK' is not a number of hundredths of an inch | State 'Texas' is not a two-letter code | Time '9999' is not HHMM"
check "a time before 12:00 UTC is the next morning of the convective day" \
  "SELECT reported_at AT TIME ZONE 'UTC' FROM stormops.storm_reports WHERE event_id = 'spc_20190324_hail_ok'" \
  "2019-03-25 01:30:00"
check "sizes in hundredths of an inch" "SELECT string_agg(magnitude::text, ',' ORDER BY magnitude) FROM stormops.storm_reports WHERE source = 'spc'" \
  "1.00,1.75,4.50"
before=$(psql -X -At -c "$snapshot")
"$repo/bin/stormops-load" spc "$work/190324_rpts_hail.csv" 2019-03-24 >/dev/null
check "loading the SPC file again changes nothing" "$snapshot" "$before"

# --- two loads at once take turns: a session that has staged rows and not
# yet ingested them makes bin/stormops-load wait, not deadlock
printf 'Time,Size,Location,County,State,Lat,Lon,Comments\n2100,125,Tulsa,Tulsa,OK,36.15,-95.99,x\n' > "$work/190326_rpts_hail.csv"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>"$work/first.err" <<'SQL' &
BEGIN;
INSERT INTO stormops.spc_hail_staging VALUES ('2000', '100', 'Wichita', 'Sedgwick', 'KS', '37.69', '-97.34', 'y');
SELECT pg_sleep(2);
SELECT * FROM stormops.ingest_spc_hail('2019-03-27');
COMMIT;
SQL
first=$!
sleep 0.5
if "$repo/bin/stormops-load" spc "$work/190326_rpts_hail.csv" >/dev/null 2>"$work/second.err" && wait $first; then
  echo "ok - two concurrent loads both succeed"
else
  echo "not ok - two concurrent loads both succeed: $(cat "$work/first.err" "$work/second.err")"; fail=1
fi
check "... each with its own rows" \
  "SELECT string_agg(event_id, ',' ORDER BY event_id) FROM stormops.storm_events WHERE event_id IN ('spc_20190326_hail_ok', 'spc_20190327_hail_ks')" \
  "spc_20190326_hail_ok,spc_20190327_hail_ks"

# --- a malformed file leaves nothing behind (one transaction)
before=$(psql -X -At -c "$snapshot")
printf 'Time,Size\n2333,175\n' > "$work/190325_rpts_hail.csv"
if "$repo/bin/stormops-load" spc "$work/190325_rpts_hail.csv" >/dev/null 2>&1; then
  echo "not ok - a file with missing columns is refused"; fail=1
else
  echo "ok - a file with missing columns is refused"
fi
check "... and nothing of it stays" "$snapshot" "$before"
check "... not even in staging" "SELECT count(*) FROM stormops.spc_hail_staging" "0"
exit $fail
