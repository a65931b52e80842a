# The two commands of the README: `./make run` and `./make test` (`./make` installs GNU make
# when it is missing, then runs it). Each installs what it needs first, and only that.
BUILD ?= build
JOBS ?= 2
BUILD_TYPE ?= RelWithDebInfo
# Unity builds (eight sources compiled as one): each header is parsed once per batch rather
# than once per file, which halves a build from scratch, CI's case (tests/fuzz/run does the
# same). A source missing an include may build in its batch: the error shows when batches move.
UNITY = -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=8

.PHONY: run test build build-all clean deb

# Only what serving needs: the run packages, and the vigie binary without its tests.
build:
	scripts/install-deps run
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(UNITY) >/dev/null
	cmake --build $(BUILD) -j$(JOBS) --target vigie

# Everything the tests need: their packages, the C++ layout checked (clang-format), the unit
# tests, warnings as errors.
build-all:
	scripts/install-deps test
	scripts/check-format
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(UNITY) -DVIGIE_TESTS=ON -DVIGIE_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# The browser tests' npm packages, exactly as locked; a Node.js too old for one of them is refused.
tests/browser/node_modules/.package-lock.json: tests/browser/package-lock.json
	cd tests/browser && npm ci --engine-strict --no-audit --no-fund --loglevel=error

# Serves the vendor's catalog on http://localhost:8080 with SQLite under ./data;
# on first start it also loads the demo scenario so a newcomer sees a living site.
run: build
	$(BUILD)/vigie serve --config vigie.toml --data data --seed scenarios/demo.toml

# What the sanitizer pass leaves out: the browser, the slow-client attacks (they time the
# server's answers), the command-line flows on PostgreSQL (copy-store, backup, failover),
# whose C++ paths the store contract already runs under the sanitizers on both backends, and
# the static mirror (the page rendering it writes out runs there through the page tests; its
# tens of thousands of file writes cost a minute under ASan).
NOT_UNDER_ASAN = browser\.|integration.(hostile|stores|backup|failover|mirror)

# The unit, integration and browser tests; then the unit and integration tests again under
# AddressSanitizer and UBSan (gcc, -O0: the quickest to build), each fuzz harness for a few
# seconds from its corpus, and last a few seconds of load on the test build, alone and as two
# nodes on PostgreSQL behind nginx: the benchmark still runs and nothing fails under concurrent
# requests (figures come from `bench/run`, never from here).
test: build-all tests/browser/node_modules/.package-lock.json
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug $(UNITY) -DVIGIE_TESTS=ON -DVIGIE_WERROR=ON -DVIGIE_SANITIZE=ON >/dev/null
	cmake --build $(BUILD)-asan -j$(JOBS)
	cd $(BUILD)-asan && ctest --output-on-failure -j$(JOBS) -E "$(NOT_UNDER_ASAN)"
	FUZZ_BUILD=$(BUILD)-fuzz tests/fuzz/run 5
	bench/run --smoke --cluster --binary $(BUILD)/vigie

# The Debian package (CPack's DEB generator; cmake/package.cmake): build/vigie_VERSION_ARCH.deb.
# scripts/deb-check installs it into a fresh Debian root, serves a page and purges it.
deb:
	scripts/install-deps run
	command -v dpkg-shlibdeps >/dev/null || apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null
	cmake -S . -B $(BUILD)-deb -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD)-deb -j$(JOBS) --target vigie vigie_changelog vigie_man
	cd $(BUILD)-deb && cpack -G DEB >/dev/null && ls -1 $$PWD/vigie_*.deb

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-fuzz $(BUILD)-deb
