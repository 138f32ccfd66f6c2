# RLHF Lab. Two commands do everything on a fresh Debian machine with the Swift toolchain:
#   make run    install missing system packages, build in release mode, start the REPL
#   make test   install missing system packages, run the whole test suite
SWIFT ?= swift
APT_PACKAGES = libedit-dev libopenblas-dev libssl-dev libzmq3-dev pkg-config python3-venv tmux

.PHONY: run test build deps bench

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing system packages:$$missing"; \
	    echo "run:  sudo apt-get install -y$$missing   then run make again"; exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build -c release

run: build
	.build/release/rlhf

bench: build
	.build/release/rlhf bench

test: deps
	$(SWIFT) build -c release
	$(SWIFT) test -c release
	bash Tests/repl-tmux.sh
	bash Tests/jupyter/run.sh
	.build/release/rlhf check
	.build/release/rlhf notebook --check
	.build/release/rlhf bench --config tiny --quick
