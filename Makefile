# The two commands of the quick start: `make run` and `make test`.
BUILD      ?= build
BUILD_TYPE ?= Release
DATA_DIR   ?= coffer-data
LISTEN     ?= 127.0.0.1:8080
JOBS       ?= 2
PREFIX     ?= /usr/local
DESTDIR    ?=

.PHONY: run test deps build configure bench asan clean format install install-build

run: build
	./$(BUILD)/coffer server --data-dir $(DATA_DIR) --listen $(LISTEN)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

# bin/coffer, bin/sem, the man pages, the systemd unit and (kept if present) the example
# settings under $(DESTDIR)$(PREFIX); SYSCONFDIR=... moves the settings (default: /etc for
# PREFIX=/usr, else PREFIX/etc).
# (`make -o install-build install` installs what is built, building nothing: the tests do.)
install: install-build
	DESTDIR="$(DESTDIR)" SYSCONFDIR="$(SYSCONFDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

install-build:
	@[ -f $(BUILD)/CMakeCache.txt ] || $(MAKE) --no-print-directory configure
	@cmake --build $(BUILD) -j$(JOBS) --target coffer man

# AddressSanitizer + UndefinedBehaviorSanitizer build, with every test.
asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan BUILD_TYPE=Asan

bench: build
	bench/run.sh $(BUILD) && BACKENDS="$${BACKENDS:-sqlite postgres}" bench/api/run.sh $(BUILD) && \
	  bench/seal.sh $(BUILD) && bench/api/scale.py $(BUILD)

format:
	@find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-asan
