# Thin wrapper over CMake and CTest. `make` builds build/bin/{efs,efsd,mount.efs}.
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all configure test thread-safety install man deps format lint clean asan up bench-api bench-nfs bench \
        bench-lifecycle bench-modes bench-netns

all: configure
	cmake --build $(BUILD) -j $(JOBS)

configure:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) -G Ninja \
	  -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

# Every test: unit, CLI against a real efsd, e2e and the doc checks.
test: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# clang -Wthread-safety over lib/ and daemon/ (also part of `make test`; needs clang++).
thread-safety: configure
	cd $(BUILD) && ctest --output-on-failure -R '^ThreadSafety\.'

install: all
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

man: configure
	cmake --build $(BUILD) --target man

# The Debian 12 packages the build and the tests need (run as root).
deps:
	scripts/install-deps

# Control-plane request rates through the real daemon (Google Benchmark).
bench-api: all
	$(BUILD)/bench/efs_api_bench

# NFSv4.1 round trips, READ/WRITE rates and creates through the real daemon over loopback TCP.
bench-nfs: all
	$(BUILD)/bench/efs_nfs_bench

# efsd against nfs-ganesha with efs bench, side by side (bench/compare.py --help).
bench: all
	python3 bench/compare.py --bin $(BUILD)/bin

# The lifecycle mover's figures: files and MiB moved per second, seq-read with and without it,
# first byte of a cold file (bench/lifecycle.py --help). Needs root (FUSE).
bench-lifecycle: all
	python3 bench/lifecycle.py --bin $(BUILD)/bin

# generalPurpose against maxIO: creates per second at 1 and 16 clients, and their latency
# (bench/modes.py --help).
bench-modes: all
	python3 bench/modes.py --bin $(BUILD)/bin

asan:
	$(MAKE) BUILD=build-asan CMAKE_FLAGS="-DEFS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug" test

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

lint: configure
	clang-tidy -p $(BUILD) $$(git ls-files 'lib/*.cc' 'cmd/*.cc' 'daemon/*.cc')

clean:
	rm -rf $(BUILD) build-asan

# What the netns network backend costs against loopback, and how fast VPCs are made (root;
# bench/netns.py --help).
bench-netns: all
	python3 bench/netns.py --bin $(BUILD)/bin

# Start efsd and make sure a file system with a mount target exists (README, first command).
up: all
	scripts/up
