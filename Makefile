# fleetroll: `make demo` runs the demo on the built-in lab, `make test` runs every test.
# Both install what they need first (Debian packages via apt-get, Swift packages via the manifest).
# `make install` builds the release binary and copies it to $(PREFIX)/bin.

SWIFT ?= swift
PREFIX ?= /usr/local

.PHONY: deps build test demo demo-down bench install clean

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build

test: build
	$(SWIFT) test

demo: build
	@scripts/demo

demo-down:
	@scripts/demo down

bench: deps
	@scripts/bench-gather

# The release binary, built as the benchmarks measure it (scripts/release-build), into PREFIX/bin.
install:
	@scripts/install-deps --build
	@bin=$$(SWIFT=$(SWIFT) scripts/release-build fleetroll) && install -d "$(DESTDIR)$(PREFIX)/bin" && \
		install -m 0755 "$$bin/fleetroll" "$(DESTDIR)$(PREFIX)/bin/fleetroll" && \
		echo "Installed $(DESTDIR)$(PREFIX)/bin/fleetroll"

clean:
	rm -rf .build .build-release
