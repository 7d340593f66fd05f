# fleetroll: `make demo` runs the demo on the built-in lab, `make test` runs every test.
# Both install what they need first (Debian packages via apt-get, Swift packages via the manifest).

SWIFT ?= swift

.PHONY: deps build test demo demo-down bench clean

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

bench: build
	@scripts/bench-gather

clean:
	rm -rf .build
