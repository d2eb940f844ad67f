-- Storms: events (what a play reacts to), their point reports, and the storm
-- impact index (SII) of each property for an event.

CREATE TABLE stormops.storm_events (
  event_id    pg_catalog.text PRIMARY KEY
              CONSTRAINT storm_events_id_not_empty CHECK (event_id OPERATOR(pg_catalog.<>) ''),
  event_type  pg_catalog.text NOT NULL
              CONSTRAINT storm_events_type_format CHECK (event_type OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_]*$'),
  magnitude   pg_catalog.numeric
              CONSTRAINT storm_events_magnitude_range CHECK (magnitude OPERATOR(pg_catalog.>=) 0),
  begin_at    pg_catalog.timestamptz NOT NULL,
  end_at      pg_catalog.timestamptz,
  lat         pg_catalog.float8
              CONSTRAINT storm_events_lat_range CHECK (lat OPERATOR(pg_catalog.>=) -90 AND lat OPERATOR(pg_catalog.<=) 90),
  lon         pg_catalog.float8
              CONSTRAINT storm_events_lon_range CHECK (lon OPERATOR(pg_catalog.>=) -180 AND lon OPERATOR(pg_catalog.<=) 180),
  radius_km   pg_catalog.float8
              CONSTRAINT storm_events_radius_range CHECK (radius_km OPERATOR(pg_catalog.>) 0),
  source      pg_catalog.text,
  created_at  pg_catalog.timestamptz DEFAULT pg_catalog.now(),
  CONSTRAINT storm_events_end_after_begin CHECK (end_at OPERATOR(pg_catalog.>=) begin_at)
);
COMMENT ON TABLE stormops.storm_events IS
  'Storm events (for NOAA data: one episode and event type); event_type is lower case: hail, wind, tornado, ...';
CREATE INDEX storm_events_begin_idx ON stormops.storm_events (begin_at);

CREATE TABLE stormops.storm_reports (
  report_id    pg_catalog.text PRIMARY KEY
               CONSTRAINT storm_reports_id_not_empty CHECK (report_id OPERATOR(pg_catalog.<>) ''),
  event_id     pg_catalog.text NOT NULL REFERENCES stormops.storm_events (event_id) ON DELETE CASCADE,
  reported_at  pg_catalog.timestamptz NOT NULL,
  lat          pg_catalog.float8 NOT NULL
               CONSTRAINT storm_reports_lat_range CHECK (lat OPERATOR(pg_catalog.>=) -90 AND lat OPERATOR(pg_catalog.<=) 90),
  lon          pg_catalog.float8 NOT NULL
               CONSTRAINT storm_reports_lon_range CHECK (lon OPERATOR(pg_catalog.>=) -180 AND lon OPERATOR(pg_catalog.<=) 180),
  magnitude    pg_catalog.numeric
               CONSTRAINT storm_reports_magnitude_range CHECK (magnitude OPERATOR(pg_catalog.>=) 0),
  radius_km    pg_catalog.float8
               CONSTRAINT storm_reports_radius_range CHECK (radius_km OPERATOR(pg_catalog.>) 0),
  source       pg_catalog.text
);
COMMENT ON TABLE stormops.storm_reports IS 'Point observations of a storm event.';
CREATE INDEX storm_reports_event_idx ON stormops.storm_reports (event_id);

CREATE TABLE stormops.property_impacts (
  property_id  pg_catalog.text NOT NULL REFERENCES stormops.properties (property_id) ON DELETE CASCADE,
  event_id     pg_catalog.text NOT NULL REFERENCES stormops.storm_events (event_id) ON DELETE CASCADE,
  sii_score    pg_catalog.numeric NOT NULL
               CONSTRAINT property_impacts_sii_range
               CHECK (sii_score OPERATOR(pg_catalog.>=) 0 AND sii_score OPERATOR(pg_catalog.<=) 100),
  PRIMARY KEY (property_id, event_id)
);
COMMENT ON TABLE stormops.property_impacts IS
  'Storm impact index (SII, 0..100) of a property for an event, from a vendor or compute_impacts.';
-- Event-triggered targeting reads the impacts of one event, strongest first.
CREATE INDEX property_impacts_event_sii_idx
  ON stormops.property_impacts (event_id, sii_score DESC) INCLUDE (property_id);
