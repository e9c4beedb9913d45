# drover: thin wrapper over CMake. See README.md.
#   make          build build/drover
#   make check    everything CI runs: build, unit + integration tests, the unit
#                 tests again under ASan+UBSan, source and format checks
#   make demo     the main job on the embedded simulator
#   make fuzz     libFuzzer targets in build-fuzz/fuzz/
#   make regen    regenerate src/aws/models from the botocore models
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake

.PHONY: all build check unit integration asan lint format fuzz regen demo bench clean

all: build

build:
	@$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@$(CMAKE) --build build -j $(JOBS)

unit: build
	cd build && ctest -L unit --output-on-failure -j $(JOBS)

integration: build
	cd build && ctest -L integration --output-on-failure -j $(JOBS)

asan:
	@$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDROVER_SANITIZE=ON -DDROVER_INTEGRATION=OFF >/dev/null
	@$(CMAKE) --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest -L unit --output-on-failure -j $(JOBS)

lint:
	bash scripts/checksrc.sh
	bash scripts/checkformat.sh

format:
	bash scripts/checkformat.sh --fix

check: lint build
	cd build && ctest --output-on-failure -j $(JOBS)
	$(MAKE) asan

fuzz:
	@$(CMAKE) -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDROVER_FUZZ=ON >/dev/null
	@$(CMAKE) --build build-fuzz -j $(JOBS)
	@echo "fuzzers in build-fuzz/fuzz/; run e.g. build-fuzz/fuzz/fuzz_xml -max_total_time=300 fuzz/corpus/xml"

regen:
	python3 tools/gen_models.py

demo:
	bash scripts/demo.sh

bench: build
	bash bench/run.sh

clean:
	rm -rf build build-asan build-fuzz
