/* The Keras-call parser (`add LSTM(32, return_sequences=True)`, the layers of a save file): parse,
 * read every argument with each typed accessor, check keys, configure the layer kind it names, and
 * check that the layer's canonical call text (what a save file stores) parses and configures to
 * the same text again. The same text is also parsed as a Python expression (f-strings included). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "fuzz_util.h"

static void read_arguments(const rnn_call *c)
{
    static const char *const known[] = { "units", "activation", "return_sequences", "dropout", NULL };
    rnn_error err;
    for (int i = 0; i < c->n_args; i++) {
        long l; double d; bool b; const char *s;
        int pos = c->keys[i] ? -1 : i;
        const char *key = c->keys[i];
        rnn_call_int(c, pos, key, 7, &l, &err);
        rnn_call_float(c, pos, key, 0.5, &d, &err);
        rnn_call_bool(c, pos, key, false, &b, &err);
        rnn_call_string(c, pos, key, "x", &s, &err);
        if (c->args[i].type == RNN_VAL_CALL && c->args[i].call)
            read_arguments(c->args[i].call);
    }
    rnn_call_check_keys(c, 1, known, &err);
}

/* The layer's canonical call text, or NULL when the call does not make a layer. */
static char *describe_layer(const char *text)
{
    rnn_call *c = NULL;
    rnn_layer *l = NULL;
    rnn_error err;
    char *out = NULL;
    if (rnn_call_parse(text, &c, &err) == RNN_OK && rnn_layer_create(c, NULL, &l, &err) == RNN_OK) {
        char buf[4096];
        if (l->kind->describe(l, buf, sizeof buf) >= 0)
            out = strdup(buf);
        rnn_layer_destroy(l);
    }
    rnn_call_free(c);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string((fuzz_input){ data, size });
    rnn_call *c = NULL;
    rnn_error err;
    if (rnn_call_parse(text, &c, &err) == RNN_OK) {
        read_arguments(c);
        rnn_call_free(c);
    } else if (!err.msg[0] || strchr(err.msg, '\n')) {
        fprintf(stderr, "a parse error without a one-line message: '%s'\n", err.msg);
        abort();
    }
    rnn_value expr;   /* the same text as a Python expression (statements, f-strings, x ** y) */
    if (rnn_expr_parse(text, &expr, &err) == RNN_OK) {
        rnn_value copy;
        if (rnn_value_copy(&copy, &expr))
            rnn_value_free(&copy);
        rnn_value_free(&expr);
    } else if (!err.msg[0] || strchr(err.msg, '\n')) {
        fprintf(stderr, "an expression error without a one-line message: '%s'\n", err.msg);
        abort();
    }
    char *once = describe_layer(text);
    if (once) {
        char *twice = describe_layer(once);
        if (!twice || strcmp(once, twice) != 0) {
            fprintf(stderr, "canonical text not stable: '%s' -> '%s'\n", once, twice ? twice : "(rejected)");
            abort();
        }
        free(twice);
        free(once);
    }
    free(text);
    return 0;
}
