-- make demo: retrospectives (docs/retrospectives.md). After the simulated
-- weeks: did each play beat doing nothing for the Frisco storm, its history,
-- and where it worked.
\echo
\echo '== Retrospectives: did each play beat doing nothing? The Frisco storm of 24 March 2019, ranked by ROI'
\echo '-- treated = proposed (intention to treat), control = holdout; outcomes in the 30 days from each execution''s start'
SELECT roi_rank, playbook_name, treated, contacted, converted, round(conversion_rate::numeric, 4) AS conv_rate,
       control_size AS control, round(control_conversion_rate::numeric, 4) AS control_rate,
       round(uplift::numeric, 4) AS uplift, round(uplift_low::numeric, 4) AS low, round(uplift_high::numeric, 4) AS high,
       round(p_value::numeric, 4) AS p_value, revenue, cost, roi, incremental_revenue, note
  FROM stormops.retrospective('noaa_ep_135504_hail')
 ORDER BY roi_rank, playbook_name;

\echo '-- Frisco-Alpha''s history as of 1 June 2019 (the Frisco storm: the variants section''s weekly storms were rolled back)'
SELECT to_char(execution_start AT TIME ZONE 'America/Chicago', 'MM-DD') AS started, event_id, playbook_version AS version,
       treated, converted, round(conversion_rate::numeric, 4) AS conv_rate, control_size AS control,
       round(avg_conversion_rate_similar_plays::numeric, 4) AS similar_plays_rate, similar_executions AS similar,
       round(competitor_response_days::numeric, 1) AS tier1_permit_days, roi
  FROM stormops.playbook_history('Frisco-Alpha', '2019-06-01');

\echo '-- where Expansion-Lookalike worked: by the tract''s median income (five equal-width bins, as pandas.cut) and by timing'
SELECT 'income' AS dimension, bin, round(lower_edge) AS above, round(upper_edge) AS up_to, treated, control,
       round(conversion_rate::numeric, 4) AS conv_rate, round(uplift::numeric, 4) AS uplift, roi
  FROM stormops.sensitivity('Expansion-Lookalike', 'income')
UNION ALL
SELECT 'timing (days)', bin, lower_edge, upper_edge, treated, control,
       round(conversion_rate::numeric, 4), round(uplift::numeric, 4), roi
  FROM stormops.sensitivity('Expansion-Lookalike', 'timing')
 ORDER BY 1, 2;
