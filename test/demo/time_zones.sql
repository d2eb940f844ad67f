-- The demo's ZIPs are in Dallas-Fort Worth, on Central time: contact
-- windows and calling hours are read on that clock (0.2.0; kept out of
-- dfw_data.sql, which the upgrade test loads into 0.1.0).
UPDATE stormops.zip_codes SET time_zone = 'America/Chicago' WHERE state = 'TX';
