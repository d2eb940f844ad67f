#!/usr/bin/env bash
# What validating a playbook at write time costs.
#  1. INSERT of 20,000 playbooks into stormops.playbooks (validated domains and
#     the lifecycle trigger) vs the same rows into a plain table with jsonb
#     columns and no trigger: the ratio is the price of validation.
#  2. One call of validate_targeting_rules / validate_channel_strategy on the
#     seed's rules vs a jsonb_typeof call on the same value (the cost of
#     calling any function on a jsonb), in microseconds.
# Medians of 5 runs; timed inside the server with clock_timestamp().
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' -c 'DROP DATABASE IF EXISTS stormops_bench_validation' -c 'CREATE DATABASE stormops_bench_validation'
psql -X -q -v ON_ERROR_STOP=1 -d stormops_bench_validation -f "$here/validation.sql"
psql -X -q -d postgres -c 'DROP DATABASE stormops_bench_validation'
