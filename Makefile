# stormops: PGXS build of the extension, plus the project's own entry points.
#
#   make            build the extension        make install   install it
#   make test       install missing Debian packages, build, install, run every
#                   suite on a throwaway cluster; ends with "N passed, N failed"
#   make demo       the same set-up, then show what the seed's plays do
#   make unit       the C unit tests of src/core under ASan/UBSan/LSan
#   make bench      benchmarks that print ratios against a same-run baseline

EXTENSION   = stormops
EXTVERSION  = 0.2.0
MODULE_big  = stormops

# PostgreSQL 15 from Debian is the supported server; override PG_CONFIG to try another.
PG_CONFIG  ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS       := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

CORE_SRCS   = $(sort $(wildcard src/core/*.c))
GLUE_SRCS   = $(sort $(wildcard src/pg/*.c) $(wildcard src/workers/*.c))
OBJS        = $(CORE_SRCS:.c=.o) $(GLUE_SRCS:.c=.o)

# The install script of this version is assembled from per-topic parts, in
# file-name order. Released install scripts are frozen files (DATA); an
# update script is its sql/updates/ source with every "--@include PART" line
# replaced by that part (docs/upgrades.md).
SQL_PARTS   = $(sort $(wildcard sql/parts/*.sql))
DATA        = sql/$(EXTENSION)--0.1.0.sql
UPDATES     = sql/$(EXTENSION)--0.1.0--0.2.0.sql
DATA_built  = sql/$(EXTENSION)--$(EXTVERSION).sql $(UPDATES)

PG_CPPFLAGS = -I$(CURDIR)/src/core -I$(CURDIR)/src/workers
# C11 throughout; PostgreSQL's own CFLAGS forbid mixed declarations, C11 allows
# them. PostgreSQL's headers trip -Wsign-compare (ARR_DATA_PTR) and
# -Wunused-parameter (PG_FUNCTION_ARGS); the unit build checks the core with both.
# No fused multiply-add contraction: the bandit's numbers must have the same
# bits on every CPU (src/core/portable_math.c).
PG_CFLAGS   = -std=c11 -ffp-contract=off -Wall -Wextra -Werror -Wno-declaration-after-statement \
              -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare
SHLIB_LINK  = -ljson-c -lcurl -lm

UNIT_TESTS  = $(sort $(wildcard test/unit/test_*.c))
UNIT_CC    ?= gcc
UNIT_FLAGS  = -std=c11 -Wall -Wextra -Werror -pedantic -g -O1 -ffp-contract=off \
              -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: test demo unit bench deps fuzz

ifneq ($(PGXS),)
# JIT bitcode of our functions buys nothing and would need clang at build time.
override with_llvm = no
# Rebuild an object when a header it includes changes (.deps/*.Po): a struct
# that grows must not leave stale objects with the old layout behind.
override autodepend = yes
include $(PGXS)
else
all install:
	@echo "pg_config not found: run 'make test' or 'make demo' (they install the Debian packages), or install postgresql-server-dev-15." >&2
	@exit 1
endif

sql/$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $^ > $@

sql/$(EXTENSION)--%.sql: sql/updates/$(EXTENSION)--%.sql $(SQL_PARTS)
	awk '/^--@include / { part = "sql/parts/" $$2; n = 0; \
	       while ((rc = (getline line < part)) > 0) { print line; n++ } \
	       if (rc < 0 || n == 0) { print "missing part " part > "/dev/stderr"; exit 1 } \
	       close(part); next } { print }' $< > $@.tmp && mv $@.tmp $@

test:
	@bash test/tools/run-tests.sh

demo:
	@bash test/demo/run-demo.sh

bench:
	@bash bench/run.sh

deps:
	@bash test/tools/install-deps.sh

# Each unit test is its own program over every core source file.
unit:
	@mkdir -p build/unit
	@status=0; for t in $(UNIT_TESTS); do \
	  exe=build/unit/$$(basename $$t .c); \
	  $(UNIT_CC) $(UNIT_FLAGS) -Isrc/core $$t $(CORE_SRCS) -ljson-c -lm -o $$exe || { status=1; echo "not ok - build $$t"; continue; }; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 $$exe || status=1; \
	done; exit $$status

EXTRA_CLEAN = build

# libFuzzer over the core (clang, ASan, UBSan); FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz:
	@bash test/fuzz/run.sh $(FUZZ_SECONDS)
