-- 1,000,000 (:rows) rows of 20 standard normal features, a treatment drawn
-- at random and a label from a logistic model whose treatment effect grows
-- with x03 and shrinks with x04 (so an uplift model has something to find).
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SELECT FROM setseed(0.14);
CREATE TABLE train_rows AS
SELECT g.id, g.treated,
       x[1] AS x01, x[2] AS x02, x[3] AS x03, x[4] AS x04, x[5] AS x05, x[6] AS x06, x[7] AS x07,
       x[8] AS x08, x[9] AS x09, x[10] AS x10, x[11] AS x11, x[12] AS x12, x[13] AS x13, x[14] AS x14,
       x[15] AS x15, x[16] AS x16, x[17] AS x17, x[18] AS x18, x[19] AS x19, x[20] AS x20,
       (random() < 1 / (1 + exp(-(-1.5 + 0.4 * x[1] - 0.3 * x[2] + 0.1 * x[5]
                                  + CASE WHEN g.treated THEN 0.3 + 0.5 * x[3] - 0.3 * x[4] ELSE 0 END))))::int AS label
  FROM (SELECT id, random() < 0.5 AS treated,
               ARRAY(SELECT sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) + 0 * id
                       FROM generate_series(1, 20)) AS x
          FROM generate_series(1, :rows) id) g;
ALTER TABLE train_rows ADD PRIMARY KEY (id);
ANALYZE train_rows;
