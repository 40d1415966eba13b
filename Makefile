# iommusim — top-level build.
#
#   make            build/libiommusim.a and build/iommusim (release, -O2)
#   make demo       set up, build, run the main job
#   make test       set up, build with ASan+UBSan, run unit suites and e2e tests
#   make coverage   gcov build, run the tests, HTML report in build/coverage/
#   make bench      build and run the benchmarks in bench/ (not part of test)
#   make fuzz       build the libFuzzer targets and run each FUZZ_SECONDS
#   make deps       install missing build/test dependencies with apt
#   make clean
#
# CC=clang works as well as gcc; both must build without warnings.

CC      ?= cc
AR      ?= ar
PYTHON  ?= /usr/bin/python3
O       ?= build

WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS_ALL := -D_DEFAULT_SOURCE -I. -Iinclude
CFLAGS_rel  := -O2 -g
CFLAGS_asan := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined
CFLAGS_cov  := -O0 -g --coverage
LDFLAGS_asan := -fsanitize=address,undefined
LDFLAGS_cov  := --coverage

CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

LIB_SRCS  := $(sort $(wildcard sim/*.c sim/*/*.c models/*/*.c))
CLI_SRCS  := $(sort $(wildcard cli/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_HELP := $(sort $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c)))
BENCH_SRCS := $(sort $(wildcard bench/*.c))
HDRS      := $(shell find include sim models cli tests/unit bench -name '*.h' 2>/dev/null)

# Per-variant object lists: $(call objs,variant,sources)
objs = $(patsubst %.c,$(O)/$(1)/%.o,$(2))

.PHONY: all demo test coverage bench deps clean fuzz .deps-ok
all: $(O)/libiommusim.a $(O)/iommusim

# ---- compilation rules, one per variant --------------------------------
define variant
$(O)/$(1)/%.o: %.c $(HDRS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(WARN) $$(CPPFLAGS_ALL) $$(CFLAGS_$(1)) $$(CHECK_CFLAGS) -c $$< -o $$@

$(O)/$(1)/libiommusim.a: $(call objs,$(1),$(LIB_SRCS))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && $$(AR) rcs $$@ $$^

$(O)/$(1)/iommusim: $(call objs,$(1),$(CLI_SRCS)) $(O)/$(1)/libiommusim.a
	$$(CC) $$(LDFLAGS_$(1)) $$(CFLAGS_$(1)) -o $$@ $$^ -lm

$(O)/$(1)/tests/%: $(O)/$(1)/tests/unit/%.o $(call objs,$(1),$(UNIT_HELP)) $(O)/$(1)/libiommusim.a
	$$(CC) $$(LDFLAGS_$(1)) $$(CFLAGS_$(1)) -o $$@ $$^ $$(CHECK_LIBS) -lm
endef
$(eval $(call variant,rel))
$(eval $(call variant,asan))
$(eval $(call variant,cov))

UNIT_BINS = $(patsubst tests/unit/%.c,$(O)/$(1)/tests/%,$(UNIT_SRCS))

$(O)/libiommusim.a: $(O)/rel/libiommusim.a
	cp $< $@
$(O)/iommusim: $(O)/rel/iommusim
	cp $< $@

# ---- set-up --------------------------------------------------------------
deps:
	@sh tools/deps.sh install

# Runs deps only when something is missing (quietly otherwise).
.deps-ok:
	@sh tools/deps.sh check >/dev/null 2>&1 || sh tools/deps.sh install

# ---- the main job --------------------------------------------------------
demo: .deps-ok
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh $(O)/iommusim

# ---- tests ------------------------------------------------------------------
test: .deps-ok
	@$(MAKE) --no-print-directory $(call UNIT_BINS,asan) $(O)/asan/iommusim
	@sh tests/run.sh $(O)/asan "$(PYTHON)"

coverage: .deps-ok
	@rm -rf $(O)/cov $(O)/coverage && mkdir -p $(O)/coverage
	@$(MAKE) --no-print-directory $(call UNIT_BINS,cov) $(O)/cov/iommusim
	@sh tests/run.sh $(O)/cov "$(PYTHON)" || true
	@lcov --quiet --capture --directory $(O)/cov --output-file $(O)/coverage/all.info \
	      --rc lcov_branch_coverage=0 >/dev/null 2>&1
	@lcov --quiet --extract $(O)/coverage/all.info "$(CURDIR)/sim/*" "$(CURDIR)/models/*" \
	      "$(CURDIR)/cli/*" --output-file $(O)/coverage/project.info >/dev/null 2>&1
	@genhtml --quiet $(O)/coverage/project.info --output-directory $(O)/coverage/html \
	      >/dev/null 2>&1
	@sh tools/covsummary.sh $(O)/coverage/project.info "$(CURDIR)/"
	@echo "HTML report: $(O)/coverage/html/index.html"

# ---- benchmarks (never part of test) -------------------------------------
BENCH_BINS := $(patsubst bench/%.c,$(O)/rel/bench/%,$(BENCH_SRCS))
$(O)/rel/bench/%: $(O)/rel/bench/%.o $(O)/rel/libiommusim.a
	$(CC) $(CFLAGS_rel) -o $@ $^ -lm
bench: $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "== $$b"; $$b || exit 1; done

# ---- fuzz targets (libFuzzer, clang): tests/fuzz/fuzz_NAME.c --------------
# `make fuzz` builds every target and runs each for FUZZ_SECONDS with its seed
# corpus (tests/fuzz/corpus/NAME, if any); a crash or sanitizer report fails.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_SRCS    := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(FUZZ_SRCS))
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined
$(O)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) $(CPPFLAGS_ALL) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) -lm
fuzz: .deps-ok $(FUZZ_BINS)
	@for b in $(FUZZ_BINS); do n=$$(basename $$b); mkdir -p $(O)/fuzz/corpus-$$n; \
	  seeds=; [ -d tests/fuzz/corpus/$$n ] && seeds=tests/fuzz/corpus/$$n; \
	  [ $$n = fuzz_trace ] && seeds="$$seeds traces"; \
	  echo "== $$n for $(FUZZ_SECONDS) s"; \
	  $$b -max_len=4096 -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    $(O)/fuzz/corpus-$$n $$seeds \
	    2>$(O)/fuzz/$$n.log || { tail -n 60 $(O)/fuzz/$$n.log; exit 1; }; \
	  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" $(O)/fuzz/$$n.log; done

clean:
	rm -rf $(O)
.SECONDARY:
