# Kiln — the two commands a newcomer needs: `make demo` and `make test`.
SWIFT ?= swift
# Release builds link the Swift runtime and Foundation statically: a process starts without loading
# and relocating a dozen Swift shared libraries (`kiln --version` 47–60 ms → 35–37 ms, issue 13).
RELEASE = -c release --static-swift-stdlib
export VIPS_WARNING ?= 0

.PHONY: demo test build release deps bench clean asan

# libvips-dev (imaging) and libsqlite3-dev (GRDB, the serve audit log) through apt when root;
# otherwise say exactly what to run. Idempotent.
deps:
	@missing=""; \
	pkg-config --exists vips 2>/dev/null || missing="$$missing libvips-dev"; \
	pkg-config --exists sqlite3 2>/dev/null || missing="$$missing libsqlite3-dev"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "kiln: installing$$missing (one time, ~30 s)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "kiln needs$$missing. Install with: sudo apt-get install -y$$missing"; exit 1; \
	fi

build: deps
	$(SWIFT) build

# xfsprogs lets CloneOutputsTests mount a small XFS volume (reflink) on a loop device; chromium,
# chromium-driver and selenium let GalleryBrowserTests drive the gallery in a real browser. Without
# them, or without root, those suites are skipped (KILN_REQUIRE_BROWSER=1, as .ci/run sets, makes a
# missing browser a failure instead); nginx-light (WebDAV) and moto, boto3 and awscli (pip) let the
# remote cache suites run real HTTP and S3 servers on loopback, and the openai SDK (pip) drives kiln
# serve's gateway (KILN_REQUIRE_SERVERS=1 makes a missing one a failure). Best effort here, never a failure.
test: deps
	@command -v mkfs.xfs >/dev/null || [ "$$(id -u)" != "0" ] || ! command -v apt-get >/dev/null || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xfsprogs >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xfsprogs >/dev/null 2>&1; } || true
	@{ command -v chromium >/dev/null && command -v chromedriver >/dev/null; } || [ "$$(id -u)" != "0" ] || ! command -v apt-get >/dev/null || \
		{ echo "kiln: installing chromium and chromium-driver for the gallery's browser tests (one time)"; \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || \
		  { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1; }; } || true
	@python3 -c "import selenium" 2>/dev/null || python3 -m pip install -q selenium >/dev/null 2>&1 || \
		python3 -m pip install -q --break-system-packages selenium >/dev/null 2>&1 || true
	@command -v nginx >/dev/null || [ "$$(id -u)" != "0" ] || ! command -v apt-get >/dev/null || \
		{ echo "kiln: installing nginx-light (WebDAV) for the remote cache tests (one time)"; \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 || \
		  { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1; }; } || true
	@{ python3 -c "import moto.server, boto3" 2>/dev/null && command -v aws >/dev/null; } || \
		{ echo "kiln: installing moto[server], boto3 and awscli for the S3 cache tests (one time)"; \
		  python3 -m pip install -q "moto[server]" boto3 awscli >/dev/null 2>&1 || \
		  python3 -m pip install -q --break-system-packages "moto[server]" boto3 awscli >/dev/null 2>&1; } || true
	@python3 -c "import openai" 2>/dev/null || \
		{ echo "kiln: installing the openai Python SDK for kiln serve's gateway test (one time)"; \
		  python3 -m pip install -q openai >/dev/null 2>&1 || \
		  python3 -m pip install -q --break-system-packages openai >/dev/null 2>&1; } || true
	$(SWIFT) test

release: deps
	$(SWIFT) build $(RELEASE)

# Builds every example pipeline offline with the placeholder provider and prints where things went.
demo: deps
	$(SWIFT) build --product kiln
	$$($(SWIFT) build --show-bin-path)/kiln build --provider placeholder
	@echo "demo: images are in outputs/ (stickers/, hero/, posters/, icons/); outputs/manifest.json describes each file; open outputs/index.html (the gallery) in a browser."
	@echo "demo: run it again: every step is up to date (kiln.lock, .kiln/) and nothing is rewritten; delete a file and it is restored from the cache."

# Release-build benchmarks; docs/benchmarks.md has the results and how they were taken. The in-process
# benches first, then Benchmarks/peers.py: Kiln beside its peers (the openai SDK, pyvips, ImageMagick,
# ninja), whole processes, interleaved, one table with ratios and targets (issue 13). It installs
# missing peers (pip; apt-get when root) or says which row it skipped. PEERS_ARGS=--quick: a smoke run.
bench: deps
	for b in kiln openai-fake kiln-bench-plan kiln-bench-engine kiln-bench-imaging; do $(SWIFT) build $(RELEASE) --product $$b || exit 1; done
	$$($(SWIFT) build $(RELEASE) --show-bin-path)/kiln-bench-plan
	KILN_BENCH_RUNS=$${KILN_BENCH_RUNS:-5} $$($(SWIFT) build $(RELEASE) --show-bin-path)/kiln-bench-engine
	$$($(SWIFT) build $(RELEASE) --show-bin-path)/kiln-bench-imaging
	bin=$$($(SWIFT) build $(RELEASE) --show-bin-path) && python3 Benchmarks/peers.py --kiln $$bin/kiln --fake $$bin/openai-fake --engine-bench $$bin/kiln-bench-engine $(PEERS_ARGS)

# The imaging tests under AddressSanitizer (issue 11): libvips is called from many threads at once.
# Leak detection is off: at exit it reports memory the test process still holds (a test's 50 MB
# buffer in a Swift task, fontconfig's caches), not leaks in Kiln's paths.
asan: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --sanitize=address --scratch-path .build-asan --skip-build --filter KilnImagingTests

clean:
	rm -rf .build .kiln kiln.lock outputs/*/ outputs/manifest.json
