# Fuzz targets: one libFuzzer target per input format (tests/fuzz/fuzz_NAME.c, seeds in
# tests/fuzz/corpus/NAME/, a dictionary in tests/fuzz/corpus/NAME.dict where it helps).
# `make fuzz` builds them with clang (-fsanitize=fuzzer,address,undefined) apart from the
# configured build, then runs each for FUZZ_SECONDS; `make fuzz-build` only builds them.
FUZZ_TARGETS = savefile tokenizer_file csv lines dir imdb_archive sms_archive tokenizer call cmdline \
	embeddings_text embeddings_bin pyreader
FUZZ_SECONDS = 60
FUZZ_CC = clang
FUZZ_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer $(FUZZ_SANITIZE) -Wall -Wextra -std=gnu11 -pthread
FUZZ_DIR = tests/fuzz/build

# The library and the program's command language, compiled again with coverage for the fuzzer.
FUZZ_LIB_OBJS = $(patsubst %.c,$(FUZZ_DIR)/%.o,$(filter %.c,$(librnnlab_internal_la_SOURCES)))
FUZZ_APP_OBJS = $(patsubst %.c,$(FUZZ_DIR)/%.o,$(filter-out src/main.c,$(filter %.c,$(rnnlab_SOURCES))))
FUZZ_HEADER_DEPS = config.h $(wildcard $(srcdir)/include/rnnlab/*.h $(srcdir)/src/*/*.h $(srcdir)/tests/fuzz/*.h)
FUZZ_CPPFLAGS = $(DEFS) -I$(top_builddir) $(AM_CPPFLAGS) $(NCURSESW_CFLAGS) $(MPI_CFLAGS)
FUZZ_LIBS = $(LIBS) $(MPI_LIBS) -lm

$(FUZZ_DIR)/src/%.o: $(srcdir)/src/%.c $(FUZZ_HEADER_DEPS)
	@mkdir -p $(@D)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(FUZZ_DIR)/librnnlab-fuzz.a: $(FUZZ_LIB_OBJS)
	$(AM_V_GEN)rm -f $@ && $(AR) cr $@ $(FUZZ_LIB_OBJS)
$(FUZZ_DIR)/librnnlab-app-fuzz.a: $(FUZZ_APP_OBJS)
	$(AM_V_GEN)rm -f $@ && $(AR) cr $@ $(FUZZ_APP_OBJS)

# fuzz_NAME from tests/fuzz/fuzz_NAME.c; the embeddings readers share one source, built per format.
fuzz_source = $(srcdir)/tests/fuzz/fuzz_$(patsubst embeddings_%,embeddings,$(1)).c
fuzz_defines = $(if $(filter embeddings_bin,$(1)),-DEMB_BINARY)
fuzz_app = $(if $(filter cmdline pyreader,$(1)),$(FUZZ_DIR)/librnnlab-app-fuzz.a $(UI_LIBS))
FUZZ_BINS = $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))
$(FUZZ_BINS): $(FUZZ_DIR)/fuzz_%: $(wildcard $(srcdir)/tests/fuzz/*.c) $(FUZZ_DIR)/librnnlab-fuzz.a \
		$(FUZZ_DIR)/librnnlab-app-fuzz.a $(FUZZ_HEADER_DEPS)
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) $(call fuzz_defines,$*) -fsanitize=fuzzer \
	  -o $@ $(call fuzz_source,$*) $(srcdir)/tests/fuzz/fuzz_util.c \
	  $(call fuzz_app,$*) $(FUZZ_DIR)/librnnlab-fuzz.a $(FUZZ_LIBS)

fuzz-build: $(FUZZ_BINS)
fuzz: fuzz-build
	@FUZZ_SECONDS="$(FUZZ_SECONDS)" srcdir="$(abs_top_srcdir)" fuzz_dir="$(abs_top_builddir)/$(FUZZ_DIR)" \
	  $(SHELL) $(srcdir)/tests/fuzz/run.sh $(FUZZ_TARGETS)
.PHONY: fuzz fuzz-build

EXTRA_DIST += tests/fuzz/README tests/fuzz/run.sh tests/fuzz/make-corpus.py tests/fuzz/fuzz_util.h \
	tests/fuzz/fuzz_util.c $(wildcard $(srcdir)/tests/fuzz/fuzz_*.c) tests/fuzz/corpus
