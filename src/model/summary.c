/* Keras's model.summary() table (TF2 / Keras 2 layout for Sequential models, and for functional
 * models over one chain of layers, which list their Input first as "input_1 (InputLayer)"):
 *   Model: "sequential"
 *   _________________________________________________________________
 *   Layer (type)                 Output Shape              Param #
 *   =================================================================
 *   embedding (Embedding)        (None, None, 32)          320000
 *   ...
 * Columns end at 45%, 85% and 100% of the width, each field cut at its column end and the last
 * character before the next field replaced by a space (Keras's print_row). */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/model.h"
#include "model/model_internal.h"

static void summary_line(rnn_strbuf *b, const char *s) { rnn_strbuf_put(b, s, strlen(s)); rnn_strbuf_put(b, "\n", 1); }

static void summary_rule(rnn_strbuf *b, char c, int width)
{
    for (int i = 0; i < width; i++)
        rnn_strbuf_put(b, &c, 1);
    rnn_strbuf_put(b, "\n", 1);
}

/* Keras's print_row over three fields ending at pos[0..2]. */
static void summary_row(rnn_strbuf *b, const char *const fields[3], const int pos[3])
{
    char line[1024] = "";
    size_t len = 0;
    for (int i = 0; i < 3; i++) {
        if (i > 0 && len > 0)
            line[len - 1] = ' ';
        size_t add = strlen(fields[i]);
        if (len + add >= sizeof line)
            add = sizeof line - 1 - len;
        memcpy(line + len, fields[i], add);
        len += add;
        if (len > (size_t)pos[i])
            len = (size_t)pos[i];
        while (len < (size_t)pos[i] && len < sizeof line - 1)
            line[len++] = ' ';
        line[len] = '\0';
    }
    summary_line(b, line);
}

/* 1234567 -> "1,234,567" (Python's '{:,}'). */
static void thousands(size_t v, char *buf, size_t n)
{
    char digits[32];
    int nd = snprintf(digits, sizeof digits, "%zu", v), k = 0;
    size_t o = 0;
    for (int i = 0; i < nd && o + 2 < n; i++) {
        buf[o++] = digits[i];
        k = nd - 1 - i;
        if (k > 0 && k % 3 == 0)
            buf[o++] = ',';
    }
    buf[o] = '\0';
}

char *rnn_model_summary(const rnn_model *m, int width)
{
    if (width <= 0)
        width = 65;
    if (width > 400)
        width = 400;
    const int pos[3] = {(int)(width * 0.45), (int)(width * 0.85), width};
    rnn_strbuf b = {0};
    char head[128];
    snprintf(head, sizeof head, "Model: \"%s\"", m->name);
    summary_line(&b, head);
    /* a Sequential model's Input has no row, as in Keras: the layers' shapes show its length */
    bool input_row = m->functional && m->input_name[0];
    summary_rule(&b, '_', width);
    summary_row(&b, (const char *const[3]){"Layer (type)", "Output Shape", "Param #"}, pos);
    summary_rule(&b, '=', width);
    if (input_row) { /* a functional model's InputLayer, its output shape a list as Keras 2 prints it */
        char name[96], shape[48];
        snprintf(name, sizeof name, "%s (InputLayer)", m->input_name);
        if (m->input_length > 0)
            snprintf(shape, sizeof shape, "[(None, %d)]", m->input_length);
        else
            snprintf(shape, sizeof shape, "[(None, None)]");
        summary_row(&b, (const char *const[3]){name, shape, "0"}, pos);
        summary_rule(&b, m->n == 0 ? '=' : '_', width);
    }
    for (size_t i = 0; i < m->n; i++) {
        const rnn_layer *l = m->layers[i];
        char name[160], shape[64], params[32];
        snprintf(name, sizeof name, "%s (%s)", l->name, l->kind->name);
        rnn_shape_str(l->out, shape, sizeof shape);
        snprintf(params, sizeof params, "%zu", l->n_params);
        summary_row(&b, (const char *const[3]){name, shape, params}, pos);
        summary_rule(&b, i + 1 == m->n ? '=' : '_', width);
    }
    size_t total = rnn_model_n_params(m), trainable = rnn_model_n_trainable(m);
    char num[40], line[96];
    thousands(total, num, sizeof num);
    snprintf(line, sizeof line, "Total params: %s", num);
    summary_line(&b, line);
    thousands(trainable, num, sizeof num);
    snprintf(line, sizeof line, "Trainable params: %s", num);
    summary_line(&b, line);
    thousands(total - trainable, num, sizeof num);
    snprintf(line, sizeof line, "Non-trainable params: %s", num);
    summary_line(&b, line);
    summary_rule(&b, '_', width);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
