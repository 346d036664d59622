/* save / open: the whole pipeline in one versioned, checksummed file, written atomically. */
#ifndef RNNLAB_IO_H
#define RNNLAB_IO_H
#include <stdio.h>
#include "rnnlab/model.h"
#include "rnnlab/text.h"
#include "rnnlab/train.h"

typedef struct rnn_pipeline {
    rnn_tokenizer *tokenizer;    /* may be NULL */
    int maxlen; bool pad_post, trunc_post;   /* maxlen 0 = not padded */
    rnn_model *model;            /* may be NULL */
    int n_classes; char **class_names;
    int n_runs; char **run_names; rnn_history *runs;
} rnn_pipeline;
int rnn_pipeline_save(const char *path, const rnn_pipeline *p, rnn_error *err);
/* Fills *p with newly allocated objects; caller frees with rnn_pipeline_free. */
int rnn_pipeline_open(const char *path, rnn_pipeline *p, rnn_error *err);
void rnn_pipeline_free(rnn_pipeline *p);

/* Model serialisation (layers by Keras call text, weights, optimizer state). */
int rnn_model_write(const rnn_model *m, FILE *f, rnn_error *err);
int rnn_model_read(rnn_model **m, FILE *f, const rnn_add_ctx *ctx, rnn_error *err);

#endif
