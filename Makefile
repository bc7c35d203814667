# vigil - top-level entry points. Everything installs what it needs first
# (scripts/deps.sh is idempotent), so these work on a fresh Debian 12.
#
#   make run [SCAN=/some/dir]   deps, build, scan (default: a demo folder)
#   make check                  deps, build, every test; ends "N passed, N failed"
#   make build                  build/vigil and libvigil
#   make fuzz                   long fuzzing runs (FUZZ_SECONDS per target)
#   make bench                  bench/vs-clamscan.sh (long)
#   make check-yara-rules       every public YARA rule file compiled by yara and vigil (minutes)
#   make bench-yara             bench/vs-yara.sh (long)
#   make bench-one-pass         bench/one-pass.sh (after bench-yara)
#   make reproduce              two builds of HEAD under different conditions, compared
#   make demo-transparency      publish, witness and update releases on one machine

BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SCAN ?=
FUZZ_SECONDS ?= 600

.PHONY: all deps build run demo check test asan fuzz fuzz-build bench reproduce clean demo-transparency \
	check-yara-rules bench-yara bench-one-pass

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	@bash scripts/make-demo.sh $(BUILD)/demo-files

run: build
ifeq ($(SCAN),)
	@bash scripts/make-demo.sh $(BUILD)/demo-files
	$(BUILD)/vigil scan $(BUILD)/demo-files; rc=$$?; [ $$rc -le 1 ] || exit $$rc
else
	$(BUILD)/vigil scan $(SCAN); rc=$$?; [ $$rc -le 1 ] || exit $$rc
endif

check: build
	@bash tests/run.sh $(BUILD)

demo-transparency: build
	@bash scripts/demo-transparency.sh $(BUILD)

reproduce: deps
	@bash scripts/reproduce.sh

fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh long

bench: build
	@bash bench/vs-clamscan.sh

check-yara-rules: build
	@VIGIL=$(BUILD)/vigil bash tests/yara_rulesets.sh

bench-yara: build
	@VIGIL=$(BUILD)/vigil bash bench/vs-yara.sh

bench-one-pass: build
	@VIGIL=$(BUILD)/vigil bash bench/one-pass.sh

clean:
	rm -rf $(BUILD) build-asan build-fuzz
