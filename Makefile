# The two commands of the README: `make run` and `make test`. Both install what is missing first.
BUILD ?= build
JOBS ?= 2
BUILD_TYPE ?= RelWithDebInfo

.PHONY: deps build run test clean

deps:
	scripts/install-deps

# The browser tests' npm packages, exactly as locked.
tests/browser/node_modules/.package-lock.json: tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# Serves the vendor's catalog on http://localhost:8080 with SQLite under ./data;
# on first start it also loads the demo scenario so a newcomer sees a living site.
run: build
	$(BUILD)/vigie serve --config vigie.toml --data data --seed scenarios/demo.toml

# Last, a few seconds of load on the test build: the benchmark still runs and nothing fails
# under concurrent requests (figures come from `bench/run`, never from here).
test: build tests/browser/node_modules/.package-lock.json
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	bench/run --smoke --binary $(BUILD)/vigie

clean:
	rm -rf $(BUILD)
