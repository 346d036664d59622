/* predict: the class of a text under a pipeline rnnlab saved, with the installed library alone.
 *
 *     cc predict.c $(pkg-config --cflags --libs rnnlab) -o predict
 *     ./predict model.rnnlab 'a slow film, but worth it'
 *
 * prints each class's probability and the most likely class, as rnnlab's `predict` does:
 *     neg 0.1234  pos 0.8766  -> pos
 * Exit status: 0, 64 usage, 65 a pipeline that cannot predict (no tokenizer, padding or model),
 * 66 a file that cannot be opened or is not a save file (rnnlab-model(5)). */
#include <stdio.h>
#include <stdlib.h>
#include <rnnlab/rnnlab.h>

/* The text's token ids (its words', then its n-grams' when the pipeline has them), padded exactly
 * as the pipeline's training data: one row of prep.maxlen ids. */
static int encode_text(const rnn_pipeline *p, const char *text, rnn_imatrix *x, rnn_error *err)
{
    char *texts[1] = {(char *)text};
    rnn_seqs seqs = {0};
    int rc = rnn_encode_texts(p->tokenizer, p->ngrams, texts, 1, &seqs, err);
    if (rc == RNN_OK)
        rc = rnn_prep_apply(&p->prep, &seqs, x, NULL, err);
    rnn_seqs_free(&seqs);
    return rc;
}

static const char *class_name(const rnn_pipeline *p, int j, char *buf, size_t size)
{
    if (j < p->n_classes && p->class_names && p->class_names[j])
        return p->class_names[j];
    snprintf(buf, size, "class %d", j);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE.rnnlab TEXT\n", argv[0]);
        return 64;
    }
    rnn_pipeline p = {0};
    rnn_error err = {0};
    if (rnn_pipeline_open(argv[1], &p, &err) != RNN_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 66;
    }
    if (!p.tokenizer || p.prep.maxlen <= 0 || !p.model) {
        fprintf(stderr, "%s: no %s: save the pipeline after tokenize, pad and fit\n", argv[1],
                !p.tokenizer ? "tokenizer" : p.prep.maxlen <= 0 ? "padding" : "model");
        rnn_pipeline_free(&p);
        return 65;
    }
    rnn_imatrix x = {0};
    int k = rnn_model_n_classes(p.model);
    float *probs = malloc(sizeof *probs * (size_t)(k < 2 ? 2 : k));
    int rc = probs ? encode_text(&p, argv[2], &x, &err) : rnn_fail(&err, RNN_EINTERNAL, "out of memory");
    if (rc == RNN_OK)
        rc = rnn_model_predict(p.model, x.data, 1, (int)x.cols, 1, probs, &k, &err);
    if (rc == RNN_OK) {
        int best = 0;
        char buf[32];
        for (int j = 0; j < k; j++) {
            printf("%s%s %.4f", j ? "  " : "", class_name(&p, j, buf, sizeof buf), probs[j]);
            if (probs[j] > probs[best])
                best = j;
        }
        printf("  -> %s\n", class_name(&p, best, buf, sizeof buf));
    } else {
        fprintf(stderr, "%s: %s\n", argv[1], err.msg);
    }
    free(probs);
    rnn_imatrix_free(&x);
    rnn_pipeline_free(&p);
    return rc == RNN_OK ? 0 : 65;
}
