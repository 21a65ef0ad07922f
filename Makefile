# teiten — plain GNU Makefile. Targets: all (default), test, bench, fuzz,
# check, install-deps, clean. `make SAN=1 test` builds with ASan+UBSan into
# build/san, `make TSAN=1 test` with ThreadSanitizer into build/tsan, so
# sanitized and release objects never mix.

CC      ?= cc
PKGS    := libpcap libzstd sqlite3 libxxhash zlib libmaxminddb json-c
# teiten loads libpcap when it first reads a capture (src/capture/pcap_lib.h);
# the tests call it directly to compare against.
LINKED  := $(filter-out libpcap,$(PKGS))
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(LINKED) 2>/dev/null) -lcsv -lpthread -lm
TEST_LDLIBS := $(LDLIBS) $(shell pkg-config --libs libpcap 2>/dev/null)

ifeq ($(TSAN),1)
BUILD   := build/tsan
CFLAGS  ?= -O1 -g -fno-omit-frame-pointer -fsanitize=thread
LDFLAGS += -fsanitize=thread
else ifeq ($(SAN),1)
BUILD   := build/san
CFLAGS  ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
           -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
BUILD   := build
CFLAGS  ?= -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDFLAGS += -pie -Wl,-z,relro,-z,now
endif
CFLAGS  += $(WARN)

LIB_SRC  := $(filter-out src/cli/%,$(wildcard src/*/*.c))
CLI_SRC  := $(wildcard src/cli/*.c)
TEST_SRC := $(wildcard tests/test_*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TESTS    := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
BENCH_SRC := $(wildcard bench/*.c)

.PHONY: all test test-all bench fuzz check clean install-deps demo
all: $(BUILD)/teiten

$(BUILD)/libteiten.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/teiten: $(CLI_OBJ) $(BUILD)/libteiten.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/libteiten.a
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LDLIBS)

$(BUILD)/fuzz/replay_%: fuzz/fuzz_%.c fuzz/replay_main.c $(BUILD)/libteiten.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LDLIBS)

FUZZ_REPLAY := $(FUZZ_SRC:fuzz/fuzz_%.c=$(BUILD)/fuzz/replay_%)

# A ThreadSanitizer report stops the program (no summary line), so it fails.
test: $(BUILD)/teiten $(TESTS) $(FUZZ_REPLAY)
	BUILD=$(BUILD) TSAN_OPTIONS=halt_on_error=1 bash tests/run.sh

# libFuzzer builds (clang): `make fuzz FUZZ_SECONDS=60`.
FUZZ_SECONDS ?= 30
fuzz:
	$(MAKE) CC=clang SAN=1 BUILD=build/fuzz-lib build/san/libteiten.a >/dev/null
	bash fuzz/run.sh $(FUZZ_SECONDS)

bench: $(BUILD)/teiten
	bash bench/run.sh $(BUILD)

check:
	clang-format --dry-run --Werror $(wildcard src/*/*.[ch] tests/*.[ch] fuzz/*.c bench/*.c)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr -Isrc src

install-deps:
	bash .ci/install-deps

# The README's two commands. Each installs missing Debian packages first and
# then re-runs make, so pkg-config sees the freshly installed libraries.
demo: install-deps
	$(MAKE) build/teiten
	bash scripts/demo.sh build/teiten

test-all: install-deps
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory test
	$(MAKE) --no-print-directory SAN=1 test
	$(MAKE) --no-print-directory TSAN=1 test

# Test objects are intermediate files; keeping them spares a rebuild and
# keeps make's "rm ..." from following the suite's closing count line.
.SECONDARY:

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
