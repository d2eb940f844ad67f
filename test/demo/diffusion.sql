\echo
\echo '== Word of mouth (docs/diffusion.md): each house''s 8 nearest within 250 m, referrals, and who influences whom'
\echo '-- the nightly job, run before the storm (as of 2019-03-27 21:00 CDT): seeds are past customers and the last 30 days'' converts'
SELECT properties, located, neighbor_rows AS neighbour_pairs, referrals, seeds,
       round(extract(epoch FROM finished_at - started_at)::numeric * 1000) AS ms
  FROM stormops.diffusion_runs ORDER BY run_id DESC LIMIT 1;
\echo '-- the Loyalty play''s Dallas strongholds: the storm hit Frisco and Allen, so its targets are the 19 houses'
\echo '-- of its defensive run (a Tier1 rival''s permit in 75225, above); the five with the highest diffusion score,'
\echo '-- each with the strongest path from another customer, and what the canvasser says at the door'
SELECT d.property_id, p.zip, round(s.diffusion_score::numeric, 6) AS diffusion_score,
       round(s.diffusion_percentile::numeric, 1) AS percentile,
       array_to_string(w.property_ids, ' > ') AS strongest_path,
       array_to_string(w.edge_kinds, ',') AS via,
       round(w.strength::numeric, 4) AS chance,
       CASE WHEN w.hops = 1 AND w.edge_kinds[1] = 'referral' THEN format('"%s sent us to you."', w.seed_property_id)
            WHEN w.hops = 1 THEN format('"Your neighbour %s m away chose us."', round(w.distances_m[1]))
            ELSE format('"%s chose us, %s houses along from you."', w.seed_property_id, w.hops) END AS at_the_door
  FROM stormops.proposal_runs r
  JOIN stormops.playbooks pb USING (playbook_id)
  JOIN stormops.proposal_decisions d USING (proposal_id)
  JOIN stormops.properties p ON p.property_id = d.property_id
  JOIN stormops.property_scores s ON s.property_id = d.property_id
  LEFT JOIN LATERAL (SELECT * FROM stormops.diffusion_paths(d.property_id) LIMIT 1) w ON true
 WHERE pb.playbook_name = 'Loyalty-DFW-HighSES' AND d.decision = 'proposed'
 ORDER BY s.diffusion_score DESC, d.property_id
 LIMIT 5;
\echo '-- the targeting key: a play that only reaches the top tenth by diffusion in those two ZIPs'
SELECT step, section, condition, remaining
  FROM stormops.targeting_funnel('{"geography": {"zips": ["75230", "75225"]}, "diffusion": {"min_score": 90}}',
                                 NULL, '2019-03-27 21:30-05');
\echo '-- a referred house that is not a customer yet: the referral is its strongest path'
SELECT d.path_rank, d.seed_property_id, array_to_string(d.property_ids, ' > ') AS path,
       array_to_string(d.edge_kinds, ',') AS via, round(d.strength::numeric, 4) AS chance
  FROM (SELECT referred_property_id FROM stormops.referrals ORDER BY referred_property_id LIMIT 1) r,
       stormops.diffusion_paths(r.referred_property_id, 2, 3) d;
