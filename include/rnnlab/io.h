/* save / open: the whole pipeline in one versioned, checksummed file, written atomically. */
#ifndef RNNLAB_IO_H
#define RNNLAB_IO_H
#include <stdio.h>
#include "rnnlab/model.h"
#include "rnnlab/text.h"
#include "rnnlab/ngrams.h"
#include "rnnlab/train.h"

typedef struct rnn_pipeline {
    rnn_tokenizer *tokenizer;    /* may be NULL */
    rnn_prep prep;               /* prep.maxlen 0 = not padded */
    rnn_ngrams *ngrams;          /* may be NULL: the word n-grams appended to each text's ids */
    rnn_model *model;            /* may be NULL */
    int n_classes; char **class_names;
    int n_runs; char **run_names; rnn_history *runs;
} rnn_pipeline;

/* Limits of a save file. open refuses a file beyond one before allocating anything for it (and
 * save refuses to write one); every length and count is also checked against the bytes left in
 * its section, so a damaged or hostile file costs at most about its own size in memory. */
#define RNN_SAVE_MAX_BYTES ((uint64_t)16 << 30) /* the whole file: 16 GiB, and half the memory available */
enum {
    RNN_SAVE_MAX_STRING = 1 << 20,      /* a name, a layer's call text, a class name: 1 MiB */
    RNN_SAVE_MAX_LAYERS = 10000,        /* layers of the model */
    RNN_SAVE_MAX_CLASSES = 1000000,     /* class names */
    RNN_SAVE_MAX_RUNS = 100000,         /* runs kept with their histories */
    RNN_SAVE_MAX_EPOCHS = 1000000,      /* epochs in one run's history (fit's own limit) */
    RNN_SAVE_MAX_MAXLEN = 1000000,      /* padding length (pad maxlen='s own limit) */
};

/* Writes p to path through rnn_write_file (a temporary, synced and renamed). */
int rnn_pipeline_save(const char *path, const rnn_pipeline *p, rnn_error *err);
/* Fills *p with newly allocated objects; caller frees with rnn_pipeline_free. Each section may
 * appear once: a file with a repeated one is refused. */
int rnn_pipeline_open(const char *path, rnn_pipeline *p, rnn_error *err);
/* The same from a whole save file's bytes in memory (what open does once the file is read, and
 * the fuzz target's entry point); name is used in messages. */
int rnn_pipeline_read(const void *data, size_t len, const char *name, rnn_pipeline *p, rnn_error *err);
void rnn_pipeline_free(rnn_pipeline *p);
/* The checksum in a save file's last 4 bytes: CRC-32 (IEEE, as zlib's crc32) of all the bytes
 * before it; crc is 0 to start, or the value so far to continue. */
uint32_t rnn_crc32(uint32_t crc, const void *data, size_t n);

/* Model serialisation (layers by Keras call text, weights, optimizer state): the MODL section.
 * The reader works on the section's bytes, so every size is checked against what remains. */
int rnn_model_write(const rnn_model *m, FILE *f, rnn_error *err);
int rnn_model_read(rnn_model **m, const void *data, size_t len, const rnn_add_ctx *ctx, rnn_error *err);

#endif
