/* The statement translator: Python statements of Keras tutorials (model = Sequential([...]),
 * model.add(...), model.compile(...), model.fit(...), the data idioms, literal assignments) run
 * as rnnlab's commands. A statement it does not run prints one "skipped:" line saying why. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "app/internal.h"
#include "app/python.h"

#define CMD_MAX 65536
#define ECHO_MAX (1 << 20)   /* the longest value a bare expression at the prompt shows */

const char py_help_text[] =
    "Keras statements run at the prompt and in scripts, beside the commands:\n"
    "  model = Sequential()   or   model = keras.Sequential([layers.Embedding(10000, 32), layers.LSTM(32)])\n"
    "  model.add(layers.LSTM(32))   model.pop()   model.summary()\n"
    "  model.compile(optimizer=Adam(learning_rate=1e-3), loss='binary_crossentropy',\n"
    "                metrics=['acc', Precision(), Recall(), AUC()])\n"
    "  history = model.fit(x_train, y_train, epochs=10, batch_size=128, validation_split=0.2,\n"
    "                      callbacks=[EarlyStopping(monitor='val_loss', patience=2)])\n"
    "  score, acc = model.evaluate(x_test, y_test, batch_size=128)\n"
    "  inputs = keras.Input(shape=(maxlen,)); x = layers.Embedding(20000, 64)(inputs)\n"
    "  outputs = layers.Dense(1, activation='sigmoid')(layers.LSTM(32)(x)); model = keras.Model(inputs, outputs)\n"
    "  model.save('imdb.rnnlab')   model = keras.models.load_model('imdb.rnnlab')   (save and open)\n"
    "Layers take the prefixes layers., keras.layers., tf.keras.layers. or none; optimizers, losses, metrics\n"
    "and callbacks their module paths (tf.keras.optimizers.RMSprop(lr=1e-3), losses.BinaryCrossentropy()).\n"
    "An argument that changes nothing (return_state=False, input_length=, kernel_initializer='glorot_uniform')\n"
    "is accepted; one rnnlab cannot honour is refused, saying why. fit takes epochs, batch_size,\n"
    "validation_split, validation_data=(x_test, y_test), shuffle, verbose, initial_epoch, class_weight\n"
    "and callbacks (EarlyStopping, ReduceLROnPlateau, ModelCheckpoint: see help fit).\n"
    "Names: maxlen = 100, tuples, lists and dicts bind values later lines use; x_train, y_train, x_test\n"
    "and y_test name the loaded data. A statement whose brackets are open goes on over the next lines\n"
    "(prompt ...>), as do Python blocks (def, with, if, for: ended by an empty line at the prompt).\n"
    "Data idioms: imdb.load_data(num_words=N) -> load imdb; tokenize num_words=N (rnnlab's word ids);\n"
    "load_dataset('stanfordnlp/imdb', split=[...]) -> load imdb shuffle=false; Tokenizer(...) and\n"
    "tokenizer.fit_on_texts(x_train) -> tokenize; texts_to_sequences; pad_sequences(x, maxlen=N, ...)\n"
    "(also sequence.pad_sequences, keras.utils.pad_sequences) -> pad; set_random_seed(N) -> set seed=N.\n"
    "tfds.load('imdb_reviews', as_supervised=True) -> load imdb; its splits' .shuffle(N).batch(B).prefetch(...)\n"
    "feed model.fit(train_dataset, validation_data=test_dataset, validation_steps=30) and evaluate;\n"
    "TextVectorization(max_tokens=N) with encoder.adapt(train_dataset.map(lambda text, label: text)) ->\n"
    "tokenize style=textvectorization max_tokens=N; pad padding=post (the encoder first in Sequential is that step).\n"
    "keras.utils.text_dataset_from_directory('aclImdb/train', validation_split=0.2, subset='training', seed=N)\n"
    "-> load imdb seed=N (Keras's listing order); a folder of your own, text_dataset_from_directory('data/train',\n"
    "...) then ('data/test') -> load dir data/train test=data/test listing=keras seed=N.\n"
    "TextVectorization(standardize=f), f a def of tf.strings.lower\n"
    "and tf.strings.regex_replace steps -> tokenize standardize=[...]; adapt on the training subset fits on it;\n"
    "raw_train_ds.map(vectorize_text) is the padded ids; fit(train_ds, validation_data=val_ds) -> validation_split;\n"
    "the model exported with vectorize_layer (keras.Model or Sequential) is the model itself.\n"
    "df = pd.read_csv(FILE) with df['text'], df.label, .values, .map({'neg': 0, 'pos': 1}), LabelEncoder, and\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)\n"
    "-> load csv FILE text=COL label=COL test_split=0.2 seed=42 (SMSSpamCollection, spam.csv: load sms).\n"
    "y_pred = model.predict(x_test) -> predict split=test (a line of counts; output=FILE.csv in the command\n"
    "writes every row); model.predict(['a new text']) -> a row per text; classification_report(y_test,\n"
    "y_pred > 0.5) and confusion_matrix(...) (np.argmax(y_pred, axis=1) for softmax) -> report.\n"
    "At the prompt a bare expression (x, vocab[:20]) shows its value as Python's REPL does.\n"
    "print() of values prints them, formatted as Python does: f'{acc:.2%}', '{:.3f}'.format(x), '%d' % n,\n"
    "history.history['val_accuracy'][-1], history.history.keys(), model.count_params(), os.path.join(a, b),\n"
    "a text's join, split, strip, lstrip, rstrip, replace, startswith and endswith;\n"
    "x ** y is arithmetic too.\n"
    "for A, B in ITEMS: runs its body for each item of a list, range(n) or ds.take(n) (then text_batch.numpy()[i],\n"
    "label_batch[i] and next(iter(ds)) print as TensorFlow and numpy print them, in rnnlab's order of the texts);\n"
    "a loop with break or continue is skipped whole.\n"
    "print(model.summary()) runs summary; plt.plot(history.history['loss'])\n"
    "runs plot.\n"
    "rnnlab FILE.py (or source FILE.py) runs a tutorial script statement by statement: imports, comments\n"
    "and docstrings pass silently; def f(a, b): bodies run when f(x, y) is called (nested at most 10 deep);\n"
    "a with block runs its body;\n"
    "every other statement it does not run prints one line FILE:LINE: skipped: TEXT (reason);\n"
    "rnnlab --strict FILE.py makes a skipped statement an error.\n";

/* ---- recognising a statement ---- */

static bool word_is(const char *p, size_t n, const char *w)
{
    return strlen(w) == n && strncmp(p, w, n) == 0;
}

bool py_is_statement(const char *cmd)
{
    static const char *const keywords[] = {"import", "from", "def", "class", "with", "for", "if", "elif", "else",
        "while", "try", "except", "finally", "return", "del", "pass", "assert", "global", "raise", "async", "await",
        "lambda", "not", "print", "display", "None", "True", "False", NULL};
    const char *p = cmd;
    while (isspace((unsigned char)*p)) p++;
    if (!*p) return false;
    if (strchr("([{'\"%!@-", *p) || isdigit((unsigned char)*p)) return true;
    const char *w = p;
    while (isalnum((unsigned char)*p) || *p == '_' || (*p == '.' && (isalpha((unsigned char)p[1]) || p[1] == '_'))) p++;
    size_t n = (size_t)(p - w);
    if (n == 0) return false;
    for (int i = 0; keywords[i]; i++)
        if (word_is(w, n, keywords[i])) return true;
    if (memchr(w, '.', n)) return true;
    if (*p == '(' || *p == '[') return true;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == ',' || *p == ':') return true;
    if (*p == '=' && p[1] != '=') return true;
    return *p && strchr("+-*/%", *p) && p[1] == '=';
}

bool py_is_bound_name(app_state *s, const char *cmd)
{
    const char *p = cmd;
    while (isspace((unsigned char)*p)) p++;
    const char *w = p;
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    size_t n = (size_t)(p - w);
    while (isspace((unsigned char)*p)) p++;
    if (n == 0 || n >= 128 || *p || isdigit((unsigned char)*w)) return false;
    char name[128];
    memcpy(name, w, n);
    name[n] = 0;
    return !app_command_find(name) && s->py && py_lookup(s->py, name);
}

/* ---- output ---- */

/* The statement for a one-line message: spaces collapsed, cut at 70 bytes. */
static void stmt_short(const char *stmt, char *buf, size_t n)
{
    size_t o = 0;
    bool space = false;
    for (const char *p = stmt; *p && o + 4 < n && o < 70; p++) {
        if (isspace((unsigned char)*p)) { space = o > 0; continue; }
        if (space) buf[o++] = ' ';
        space = false;
        buf[o++] = *p;
    }
    buf[o] = 0;
    if (o >= 70 && o + 4 < n) memcpy(buf + o, "...", 4);
}

static void where_prefix(py_session *ps, char *buf, size_t n)
{
    if (ps->file[0]) snprintf(buf, n, "%s:%d: ", ps->file, ps->line);
    else buf[0] = 0;
}

static int py_skip(app_state *s, const char *stmt, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int py_skip(app_state *s, const char *stmt, const char *fmt, ...)
{
    py_session *ps = py_session_get(s);
    char why[600], text[96], where[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    stmt_short(stmt, text, sizeof text);
    if (ps && ps->strict) {
        app_error("skipped: %s (%s; --strict makes a skipped statement an error)", text, why);
        return RNN_EUSAGE;
    }
    where_prefix(ps, where, sizeof where);
    app_printf("%sskipped: %s (%s)\n", where, text, why);
    return RNN_OK;
}

void py_note(app_state *s, const char *fmt, ...)
{
    py_session *ps = py_session_get(s);
    char msg[800], where[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    where_prefix(ps, where, sizeof where);
    app_printf("%snote: %s\n", where, msg);
}

int py_fail(int code, const char *what, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    app_error("%s: %s", what, msg);
    return code;
}

int py_fail_err(const char *what, const rnn_error *err)
{
    app_error("%s: %s", what, err->msg[0] ? err->msg : "failed");
    return err->code ? err->code : RNN_EINTERNAL;
}

/* ---- building commands ---- */

typedef struct cmd_buf { char text[CMD_MAX]; size_t len; bool ok; } cmd_buf;

static void cb_init(cmd_buf *c, const char *name)
{
    c->len = 0;
    c->ok = true;
    int w = snprintf(c->text, sizeof c->text, "%s", name);
    c->len = (size_t)w;
}

static void cb_add(cmd_buf *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cb_add(cmd_buf *c, const char *fmt, ...)
{
    if (!c->ok) return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(c->text + c->len, sizeof c->text - c->len, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= sizeof c->text - c->len) c->ok = false;
    else c->len += (size_t)w;
}

/* A string as the commands read it: '...', or "..." with escapes when it holds a '. */
static void cb_quoted(cmd_buf *c, const char *v)
{
    if (!strchr(v, '\'')) { cb_add(c, "'%s'", v); return; }
    cb_add(c, "\"");
    for (const char *p = v; *p; p++) cb_add(c, "%s%c", *p == '"' || *p == '\\' ? "\\" : "", *p);
    cb_add(c, "\"");
}

/* " key=VALUE" with VALUE quoted so that the command line gives it back as it is. */
static void cb_key_string(cmd_buf *c, const char *key, const char *v)
{
    cb_add(c, " %s=", key);
    cb_quoted(c, v);
}

/* A number argument as the commands read it. */
static void cb_key_number(cmd_buf *c, const char *key, const rnn_value *v)
{
    char buf[64];
    if (py_value_text(v, buf, sizeof buf)) cb_add(c, " %s=%s", key, buf);
}

static int run_cmd(app_state *s, const char *what, cmd_buf *c)
{
    if (!c->ok) return py_fail(RNN_EUSAGE, what, "the statement is too long (at most %d bytes of arguments)", CMD_MAX);
    return app_exec_command(s, c->text);
}

/* ---- values ---- */

typedef struct stmt_ctx {
    app_state *s;
    const char *text;            /* the statement, for messages */
} stmt_ctx;

static const rnn_value *call_arg(const rnn_call *c, int pos, const char *key)
{
    return rnn_call_arg(c, pos, key);
}

/* Evaluates e into out; an error names the statement's method (what). */
static int eval_or_fail(app_state *s, const char *what, const rnn_value *e, rnn_value *out)
{
    char why[400];
    int rc = py_eval(s, e, out, why, sizeof why);
    if (rc) return py_fail(RNN_EUSAGE, what, "%s", why);
    return RNN_OK;
}

static bool is_number(const rnn_value *v)
{
    return v && (v->type == RNN_VAL_NUMBER || v->type == RNN_VAL_BOOL);
}

/* ---- Keras objects ---- */

bool py_name_in(const char *name, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(name, list[i]) == 0) return true;
    return false;
}

static const char *const optimizer_names[] = {"Adam", "RMSprop", "SGD", "Adagrad", "Nadam", "AdamW", "Adadelta",
                                              "Adamax", "Ftrl", "Lion", NULL};
static const char *const loss_classes[] = {"BinaryCrossentropy", "SparseCategoricalCrossentropy",
                                           "CategoricalCrossentropy", "MeanSquaredError", "Hinge", NULL};
static const char *const metric_classes[] = {"Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
                                             "SparseCategoricalAccuracy", "Precision", "Recall", "AUC", NULL};
static const char *const callback_names[] = {"EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint",
                                             "TensorBoard", "CSVLogger", "LearningRateScheduler", "History",
                                             "TerminateOnNaN", NULL};

static bool is_layer_name(const char *base)
{
    size_t n;
    const rnn_layer_kind *const *kinds = rnn_layer_kinds(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(kinds[i]->name, base) == 0) return true;
    static const char *const more[] = {"Input", "InputLayer", "CuDNNLSTM", "CuDNNGRU", "Conv1D", "MaxPooling1D",
                                       "AveragePooling1D", "Activation", "GlobalMaxPool1D", "GlobalAvgPool1D",
                                       "MaxPool1D", "AvgPool1D", NULL};
    return py_name_in(base, more);
}

/* A call whose value a name may hold: Keras's layers, optimizers, losses, metrics, callbacks, the
 * Tokenizer, the functional Input. */
static bool is_keras_object(const rnn_call *c)
{
    const char *b = py_basename(c->name);
    return is_layer_name(b) || py_name_in(b, optimizer_names) || py_name_in(b, loss_classes) || py_name_in(b, metric_classes) ||
           py_name_in(b, callback_names) || strcmp(b, "Tokenizer") == 0;
}

/* Keras's loss class or function name as compile's loss: BinaryCrossentropy -> binary_crossentropy. */
static void snake_case(const char *camel, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = camel; *p && o + 2 < n; p++) {
        if (isupper((unsigned char)*p) && p != camel && o + 3 < n) out[o++] = '_';
        out[o++] = (char)tolower((unsigned char)*p);
    }
    out[o] = 0;
}

/* ---- layers ---- */

/* Prepares a layer call for `add`: weights=[matrix] of vectors that were not loaded. */
static int layer_text(app_state *s, const rnn_value *v, char *buf, size_t n)
{
    if (v->type != RNN_VAL_CALL)
        return py_fail(RNN_EUSAGE, "model.add", "expected a layer, e.g. layers.LSTM(32)");
    rnn_value copy;
    if (!rnn_value_copy(&copy, v)) return py_fail(RNN_EINTERNAL, "model.add", "out of memory");
    rnn_call *c = copy.call;
    for (int i = 0; i < c->n_args; i++) {
        rnn_value *a = &c->args[i];
        if (!c->keys[i] || strcmp(c->keys[i], "weights") != 0) continue;
        const rnn_value *m = a->type == RNN_VAL_LIST && a->n_items == 1 ? &a->items[0] : a;
        const char *shape = py_obj_is(m, "matrix.");
        if (!shape) continue;
        long rows = 0, cols = 0;
        sscanf(shape, "%ld.%ld", &rows, &cols);
        rnn_value_free(a);
        memset(a, 0, sizeof *a);
        if (s->pretrained.data && (long)s->pretrained.rows == rows && (long)s->pretrained.cols == cols) {
            a->type = RNN_VAL_IDENT;
            a->string = strdup("pretrained");
            py_note(s, "%s: weights are the vectors of `embeddings load`", c->name);
        } else {
            /* the matrix was never filled: train the Embedding instead of freezing zeros */
            a->type = RNN_VAL_NONE;
            for (int j = 0; j < c->n_args; j++)
                if (c->keys[j] && strcmp(c->keys[j], "trainable") == 0) {
                    rnn_value_free(&c->args[j]);
                    memset(&c->args[j], 0, sizeof c->args[j]);
                    c->args[j].type = RNN_VAL_BOOL;
                    c->args[j].number = 1;
                }
            py_note(s, "%s: the word vectors of its weights were not loaded, so it is trained from Keras's initialisation "
                    "instead of frozen (`embeddings load FILE` gives it the vectors)", c->name);
        }
    }
    /* weights=None is the default: drop it */
    for (int i = 0; i < c->n_args; i++)
        if (c->keys[i] && strcmp(c->keys[i], "weights") == 0 && c->args[i].type == RNN_VAL_NONE) {
            free(c->keys[i]);
            rnn_value_free(&c->args[i]);
            memmove(&c->keys[i], &c->keys[i + 1], sizeof *c->keys * (size_t)(c->n_args - i - 1));
            memmove(&c->args[i], &c->args[i + 1], sizeof *c->args * (size_t)(c->n_args - i - 1));
            c->n_args--;
            i--;
        }
    bool ok = py_value_text(&copy, buf, n);
    rnn_value_free(&copy);
    if (!ok) return py_fail(RNN_EUSAGE, "model.add", "the layer's arguments hold a value rnnlab cannot pass to it");
    return RNN_OK;
}

/* A TextVectorization first in the model: rnnlab's texts are its output already (tokenize
 * style=textvectorization and pad, run by adapt), so the model starts at the next layer. */
static int skip_text_vectorization(app_state *s, const char *what)
{
    if (!py_textvec_adapted(s))
        return py_fail(RNN_EUSAGE, what, "the TextVectorization is not adapted: call encoder.adapt(texts) before "
                       "building the model");
    if (s->model && rnn_model_n_layers(s->model) > 0)
        return py_fail(RNN_EUSAGE, what, "a TextVectorization after other layers: rnnlab's models take its word ids "
                       "as their input");
    py_note(s, "%s: the TextVectorization's word ids are the texts' ids made by adapt (tokenize "
            "style=textvectorization, pad padding=post); the model starts at the layer after it", what);
    return RNN_OK;
}

static int add_layer(app_state *s, const rnn_value *v)
{
    if (py_is_textvec(v)) return skip_text_vectorization(s, "model.add");
    cmd_buf *c = malloc(sizeof *c);
    char *text = malloc(CMD_MAX);
    int rc = !c || !text ? py_fail(RNN_EINTERNAL, "model.add", "out of memory") : layer_text(s, v, text, CMD_MAX);
    if (!rc) {
        cb_init(c, "add ");
        cb_add(c, "%s", text);
        rc = run_cmd(s, "model.add", c);
    }
    free(c);
    free(text);
    return rc;
}

static int new_model(app_state *s, const rnn_call *c, bool functional)
{
    const rnn_value *name = call_arg(c, -1, "name");
    cmd_buf cb;
    cb_init(&cb, "model new");
    if (name && name->type == RNN_VAL_STRING) cb_add(&cb, " '%s'", name->string);
    if (functional) cb_add(&cb, " functional=true");
    return run_cmd(s, functional ? "Model" : "Sequential", &cb);
}

/* Sequential([...]) or Sequential(): a new model with the layers of the list. */
/* The model with its TextVectorization in front (and maybe a sigmoid after its logits), as the
 * tutorials export it: the session's model, which takes texts through the adapted tokenizer and
 * padding itself. True when the layers are [TextVectorization, the model(, Activation('sigmoid'))]. */
static bool is_end_to_end(app_state *s, const rnn_value *layers, int n)
{
    if (n < 2 || n > 3 || !py_is_textvec(&layers[0]) || !py_obj_is(&layers[1], "model") || !s->model) return false;
    if (n == 3) {
        const rnn_value *a = &layers[2];
        const rnn_value *f = a->type == RNN_VAL_CALL && !strcmp(py_basename(a->call->name), "Activation")
                             ? rnn_call_arg(a->call, 0, "activation") : NULL;
        if (!f || f->type != RNN_VAL_STRING || strcmp(f->string, "sigmoid")) return false;
    }
    return true;
}

static int end_to_end_model(app_state *s, const char *what, int n, rnn_value *result)
{
    if (!py_textvec_adapted(s)) return py_fail(RNN_EUSAGE, what, "the TextVectorization is not adapted yet");
    char last[160] = "";
    rnn_layer *l = rnn_model_layer(s->model, rnn_model_n_layers(s->model) - 1);
    if (l) l->kind->describe(l, last, sizeof last);
    bool logits = rnn_model_predicts_probabilities(s->model) && !strstr(last, "sigmoid") && !strstr(last, "softmax");
    if (n == 3 && !logits)
        return py_fail(RNN_EUSAGE, what, "Activation('sigmoid') after a model that is not compiled with "
                       "from_logits=True: its outputs are probabilities already");
    py_note(s, "%s: the TextVectorization and the model: rnnlab's model itself, which takes texts through the adapted "
            "tokenizer and padding%s", what, n == 3 ? " (its evaluate and predict apply the sigmoid to the logits)" : "");
    return py_obj_value(result, "model.endtoend") ? RNN_OK : py_fail(RNN_EINTERNAL, what, "out of memory");
}

static int build_sequential(app_state *s, const rnn_call *c, rnn_value *result)
{
    const rnn_value *layers = call_arg(c, 0, "layers");
    rnn_value list = {0};
    int rc = layers ? eval_or_fail(s, "Sequential", layers, &list) : RNN_OK;
    if (rc) return rc;
    if (layers && list.type != RNN_VAL_LIST && list.type != RNN_VAL_NONE) {
        rnn_value_free(&list);
        return py_fail(RNN_EUSAGE, "Sequential", "expected a list of layers, e.g. Sequential([layers.LSTM(32), layers.Dense(1)])");
    }
    if (list.type == RNN_VAL_LIST && is_end_to_end(s, list.items, list.n_items)) {
        rc = end_to_end_model(s, "Sequential", list.n_items, result);
        rnn_value_free(&list);
        return rc;
    }
    if (!py_obj_value(result, "model")) rc = py_fail(RNN_EINTERNAL, "Sequential", "out of memory");
    if (!rc && !(rc = new_model(s, c, false)))
        for (int i = 0; i < list.n_items && !rc; i++)
            rc = py_is_textvec(&list.items[i]) ? skip_text_vectorization(s, "Sequential") : add_layer(s, &list.items[i]);
    rnn_value_free(&list);
    return rc;
}

/* keras.Model and its other spellings (Model from keras.models, tf.keras.models.Model, ...). */
static bool is_functional_model_call(const char *name)
{
    static const char *const spellings[] = {"Model", "keras.Model", "tf.keras.Model", "models.Model",
                                            "keras.models.Model", "tf.keras.models.Model", NULL};
    return py_name_in(name, spellings);
}

/* keras.models.load_model and its other spellings. */
static bool is_load_model_call(const char *name)
{
    static const char *const spellings[] = {"load_model", "models.load_model", "keras.models.load_model",
                                            "tf.keras.models.load_model", "saving.load_model",
                                            "keras.saving.load_model", NULL};
    return py_name_in(name, spellings);
}

/* A statement's file argument (model.save's, load_model's) evaluated into *v: a string. */
static int eval_path(app_state *s, const char *what, const rnn_value *arg, rnn_value *v)
{
    int rc = arg ? eval_or_fail(s, what, arg, v) : py_fail(RNN_EUSAGE, what, "expected a file name");
    if (!rc && v->type != RNN_VAL_STRING) rc = py_fail(RNN_EUSAGE, what, "expected a file name");
    return rc;
}

/* The command CMD 'PATH' (save, open), the path quoted as the commands read it. */
static int run_path_cmd(app_state *s, const char *what, const char *cmd, const char *path)
{
    cmd_buf cb;
    cb_init(&cb, cmd);
    cb_add(&cb, " ");
    cb_quoted(&cb, path);
    return run_cmd(s, what, &cb);
}

/* keras.models.load_model(PATH): open PATH, the file model.save wrote (rnnlab's save file: open
 * refuses a Keras .keras or .h5 file as not one of rnnlab's). The model comes back compiled, with
 * its optimizer state, as Keras's compile=True (the default) gives it. */
static int stmt_load_model(app_state *s, const rnn_call *c)
{
    for (int i = 0; i < c->n_args; i++) {
        const char *k = c->keys[i];
        if (!k || !strcmp(k, "filepath") || !strcmp(k, "safe_mode")) continue;
        bool neutral = (!strcmp(k, "compile") && c->args[i].type == RNN_VAL_BOOL && c->args[i].number != 0) ||
                       (!strcmp(k, "custom_objects") && c->args[i].type == RNN_VAL_NONE);
        if (!neutral) return py_fail(RNN_EUSAGE, "load_model", "%s= is not supported by rnnlab (the model is opened "
                                     "as model.save wrote it, compiled)", k);
    }
    rnn_value v = {0};
    int rc = eval_path(s, "load_model", call_arg(c, 0, "filepath"), &v);
    if (!rc) rc = run_path_cmd(s, "load_model", "open", v.string);
    rnn_value_free(&v);
    return rc;
}

/* keras.Model(inputs, outputs): the layers from the input tensor to the output tensor. */
static int build_functional(app_state *s, const rnn_call *c, rnn_value *result)
{
    const rnn_value *in = call_arg(c, 0, "inputs"), *out = call_arg(c, 1, "outputs");
    if (!in || !out) return py_fail(RNN_EUSAGE, "Model", "expected Model(inputs, outputs)");
    rnn_value vi = {0}, vo = {0};
    int rc = eval_or_fail(s, "Model", in, &vi);
    if (!rc) rc = eval_or_fail(s, "Model", out, &vo);
    if (!rc && (vi.type != RNN_VAL_CALL || vo.type != RNN_VAL_CALL || strcmp(vi.call->name, "\001tensor") ||
                strcmp(vo.call->name, "\001tensor")))
        rc = py_fail(RNN_EUSAGE, "Model", "inputs and outputs must be tensors of one chain of layers (x = layers.X(...)(x))");
    if (!rc && (vo.call->n_args < vi.call->n_args || vi.call->n_args != 1))
        rc = py_fail(RNN_EUSAGE, "Model", "the outputs do not come from these inputs");
    if (!rc && is_end_to_end(s, vo.call->args + 1, vo.call->n_args - 1)) {
        rc = end_to_end_model(s, "Model", vo.call->n_args - 1, result);
        rnn_value_free(&vi);
        rnn_value_free(&vo);
        return rc;
    }
    if (!rc) rc = new_model(s, c, true);
    for (int i = 0; !rc && i < vo.call->n_args; i++) rc = add_layer(s, &vo.call->args[i]);
    rnn_value_free(&vi);
    rnn_value_free(&vo);
    if (!rc && !py_obj_value(result, "model")) rc = py_fail(RNN_EINTERNAL, "Model", "out of memory");
    return rc;
}

/* ---- compile ---- */

static int compile_optimizer(cmd_buf *cb, const rnn_value *v)
{
    if (v->type == RNN_VAL_STRING || v->type == RNN_VAL_IDENT) {
        char low[64];
        snprintf(low, sizeof low, "%s", py_basename(v->string));
        for (char *p = low; *p; p++) *p = (char)tolower((unsigned char)*p);
        cb_add(cb, " optimizer=%s", low);
        return RNN_OK;
    }
    if (v->type != RNN_VAL_CALL) return py_fail(RNN_EUSAGE, "model.compile", "optimizer: expected a name or an optimizer such as Adam(learning_rate=1e-3)");
    const rnn_call *c = v->call;
    const char *b = py_basename(c->name);
    char low[64];
    snprintf(low, sizeof low, "%s", b);
    for (char *p = low; *p; p++) *p = (char)tolower((unsigned char)*p);
    cb_add(cb, " optimizer=%s", low);
    static const char *const same[] = {"learning_rate", "momentum", "nesterov", "rho", "beta_1", "beta_2", "epsilon",
                                       "clipnorm", "clipvalue", "weight_decay", "initial_accumulator_value", NULL};
    for (int i = 0; i < c->n_args; i++) {
        const char *k = c->keys[i];
        const rnn_value *a = &c->args[i];
        if (!k) {
            if (i == 0) k = "learning_rate";   /* Adam(0.001) */
            else return py_fail(RNN_EUSAGE, "model.compile", "%s: expected keyword arguments after the learning rate", b);
        }
        if (strcmp(k, "lr") == 0) k = "learning_rate";   /* the old spelling */
        if (strcmp(k, "name") == 0) continue;
        if (a->type == RNN_VAL_NONE) continue;
        if ((strcmp(k, "amsgrad") == 0 || strcmp(k, "centered") == 0) && a->type == RNN_VAL_BOOL && !a->number) continue;
        if (strcmp(k, "decay") == 0 && is_number(a) && a->number == 0) continue;
        if (!py_name_in(k, same))
            return py_fail(RNN_EUSAGE, "model.compile", "%s: %s= is not supported by rnnlab's optimizers", b, k);
        if (a->type == RNN_VAL_BOOL) cb_add(cb, " %s=%s", k, a->number ? "true" : "false");
        else if (is_number(a)) cb_key_number(cb, k, a);
        else return py_fail(RNN_EUSAGE, "model.compile", "%s: %s= expects a number", b, k);
    }
    return RNN_OK;
}

static int compile_loss(cmd_buf *cb, const rnn_value *v)
{
    char name[96];
    if (v->type == RNN_VAL_STRING || v->type == RNN_VAL_IDENT) {
        snprintf(name, sizeof name, "%s", py_basename(v->string));
        if (isupper((unsigned char)name[0])) snake_case(py_basename(v->string), name, sizeof name);
        cb_add(cb, " loss=%s", name);
        return RNN_OK;
    }
    if (v->type != RNN_VAL_CALL) return py_fail(RNN_EUSAGE, "model.compile", "loss: expected a name or a loss such as BinaryCrossentropy()");
    const rnn_call *c = v->call;
    snake_case(py_basename(c->name), name, sizeof name);
    cb_add(cb, " loss=%s", name);
    for (int i = 0; i < c->n_args; i++) {
        const char *k = c->keys[i];
        const rnn_value *a = &c->args[i];
        if (!k || strcmp(k, "from_logits") != 0) {
            if (k && strcmp(k, "name") == 0) continue;
            if (k && strcmp(k, "reduction") == 0 && a->type == RNN_VAL_STRING && strcmp(a->string, "sum_over_batch_size") == 0) continue;
            if (k && strcmp(k, "label_smoothing") == 0 && is_number(a) && a->number == 0) continue;
            return py_fail(RNN_EUSAGE, "model.compile", "%s: %s is not supported by rnnlab's losses", py_basename(c->name),
                            k ? k : "a positional argument");
        }
        if (a->type != RNN_VAL_BOOL) return py_fail(RNN_EUSAGE, "model.compile", "%s: from_logits expects True or False", py_basename(c->name));
        if (a->number) cb_add(cb, " from_logits=true");
    }
    return RNN_OK;
}

static int compile_metrics(cmd_buf *cb, const rnn_value *v)
{
    const rnn_value *items = v->type == RNN_VAL_LIST ? v->items : v;
    int n = v->type == RNN_VAL_LIST ? v->n_items : 1;
    if (n == 0) return RNN_OK;
    cb_add(cb, " metrics=");
    for (int i = 0; i < n; i++) {
        const rnn_value *m = &items[i];
        char name[64];
        if (m->type == RNN_VAL_STRING || m->type == RNN_VAL_IDENT) snprintf(name, sizeof name, "%s", py_basename(m->string));
        else if (m->type == RNN_VAL_CALL) {
            const char *b = py_basename(m->call->name);
            const rnn_value *mn = rnn_call_arg(m->call, -1, "name");
            snake_case(b, name, sizeof name);   /* BinaryAccuracy() is Keras's 'binary_accuracy' */
            if (mn && mn->type == RNN_VAL_STRING && strstr(b, "Accuracy")) snprintf(name, sizeof name, "%s", mn->string);
            if (strcmp(name, "a_u_c") == 0) snprintf(name, sizeof name, "auc");
            /* BinaryAccuracy(threshold=T): rnnlab's accuracy thresholds probabilities at 0.5, which is T=0 on
             * logits (from_logits=True) */
            bool logits = strstr(cb->text, " from_logits=true") != NULL;
            for (int j = 0; j < m->call->n_args; j++) {
                const char *k = m->call->keys[j];
                const rnn_value *a = &m->call->args[j];
                if (k && !strcmp(k, "name")) continue;
                if (!strcmp(b, "BinaryAccuracy") && (k ? !strcmp(k, "threshold") : j == 2) && is_number(a)) {
                    if (a->number == (logits ? 0.0 : 0.5)) continue;
                    return py_fail(RNN_EUSAGE, "model.compile", "BinaryAccuracy(threshold=%g): rnnlab's accuracy counts "
                                   "a probability over 0.5 as class 1 (threshold=%s)", a->number,
                                   logits ? "0.0 on the logits of from_logits=True" : "0.5");
                }
                return py_fail(RNN_EUSAGE, "model.compile", "%s: arguments are not supported by rnnlab's metrics", b);
            }
        } else
            return py_fail(RNN_EUSAGE, "model.compile", "metrics: expected names or metric objects");
        cb_add(cb, "%s%s", i ? "," : "", name);
    }
    return RNN_OK;
}

static int stmt_compile(app_state *s, const rnn_call *c)
{
    rnn_value args = {0};
    rnn_value wrapped = {.type = RNN_VAL_CALL, .call = (rnn_call *)c};
    int rc = eval_or_fail(s, "model.compile", &wrapped, &args);
    if (rc) return rc;
    cmd_buf *cb = malloc(sizeof *cb);
    if (!cb) { rnn_value_free(&args); return py_fail(RNN_EINTERNAL, "model.compile", "out of memory"); }
    cb_init(cb, "compile");
    const rnn_call *e = args.call;
    const rnn_value *opt = rnn_call_arg(e, 0, "optimizer"), *loss = rnn_call_arg(e, 1, "loss"), *met = rnn_call_arg(e, 2, "metrics");
    for (int i = 0; i < e->n_args && !rc; i++) {
        const char *k = e->keys[i];
        if (!k) { if (i > 2) rc = py_fail(RNN_EUSAGE, "model.compile", "too many positional arguments"); continue; }
        if (strcmp(k, "optimizer") && strcmp(k, "loss") && strcmp(k, "metrics") && strcmp(k, "weighted_metrics") &&
            strcmp(k, "run_eagerly") && strcmp(k, "jit_compile") && strcmp(k, "steps_per_execution"))
            rc = py_fail(RNN_EUSAGE, "model.compile", "%s= is not supported by rnnlab", k);
        if (!strcmp(k, "weighted_metrics") && e->args[i].type != RNN_VAL_NONE)
            rc = py_fail(RNN_EUSAGE, "model.compile", "weighted_metrics= is not supported by rnnlab");
    }
    if (!rc && opt) rc = compile_optimizer(cb, opt);
    if (!rc && loss) rc = compile_loss(cb, loss);
    if (!rc && met && met->type != RNN_VAL_NONE) rc = compile_metrics(cb, met);
    if (!rc && !met) cb_add(cb, " metrics=");
    if (!rc) rc = run_cmd(s, "model.compile", cb);
    free(cb);
    rnn_value_free(&args);
    return rc;
}

/* ---- data ---- */

/* Which split x (and y) of a fit/evaluate call name: "train", "test", or NULL with *why. */
static const char *data_split(const rnn_value *v, const char *what, char *why, size_t n)
{
    const char *o;
    py_tfdata d;
    if (!v) { snprintf(why, n, "%s is missing", what); return NULL; }
    if (py_tfdata_get(v, &d)) {
        if (d.part == PY_TFDATA_PAIRS) return !strcmp(d.split, "test") ? "test" : "train";
        snprintf(why, n, "%s: expected a data set of (text, label) pairs, as tfds.load(..., as_supervised=True) gives", what);
        return NULL;
    }
    if ((o = py_obj_is(v, "data.train"))) return "train";
    if ((o = py_obj_is(v, "data.test"))) return "test";
    if ((o = py_obj_is(v, "skipped."))) return "skipped";
    snprintf(why, n, "%s: expected the loaded data (x_train, x_test, ...)", what);
    return NULL;
}

/* Evaluates an argument, turning a name made by a skipped statement into the "skipped" object
 * (fit and evaluate then use the loaded data set, with a note). */
static int eval_data_arg(app_state *s, const char *what, const rnn_value *e, rnn_value *out)
{
    char why[400] = "";
    if (e->type == RNN_VAL_IDENT && e->string[0] != PY_OBJ) {
        const rnn_value *b = py_lookup(py_session_get(s), e->string);
        if (b && py_obj_is(b, "skipped.")) return rnn_value_copy(out, b) ? RNN_OK : py_fail(RNN_EINTERNAL, what, "out of memory");
        if (!b && !strchr(e->string, '.') && s->ds) {
            /* data loaded by commands (load, tokenize, pad) under the tutorial's names */
            bool test = strstr(e->string, "test") != NULL;
            bool labels = e->string[0] == 'y' || strstr(e->string, "label");
            char obj[48];
            snprintf(obj, sizeof obj, "data.%s.%s", test ? "test" : "train", labels ? "labels" : "ids");
            return py_obj_value(out, obj) ? RNN_OK : py_fail(RNN_EINTERNAL, what, "out of memory");
        }
    }
    int rc = py_eval(s, e, out, why, sizeof why);
    if (!rc && py_obj_is(out, "frame.")) {
        /* a column of the DataFrame as data: its file loaded */
        rnn_value col = *out;
        memset(out, 0, sizeof *out);
        rc = py_frame_data(s, &col, out, why, sizeof why);
        rnn_value_free(&col);
    }
    return rc && why[0] ? py_fail(rc, what, "%s", why) : rc;
}

static bool data_note_skipped(app_state *s, const char *what, const rnn_value *v, const char *split)
{
    const char *line = py_obj_is(v, "skipped.");
    if (!line) return false;
    py_note(s, "%s: its data was made by the statement skipped %s; it uses the loaded data set's padded %s split",
            what, line, split);
    return true;
}

/* model.fit(train_dataset, ...): batched (text, label) pairs, no y; a directory's training subset,
 * not its validation subset. */
static int fit_pipeline_check(const py_tfdata *d, const rnn_value *y)
{
    if (y) return py_fail(RNN_EUSAGE, "model.fit", "y= with a tf.data data set: its elements hold the labels");
    if (!d->batch)
        return py_fail(RNN_EUSAGE, "model.fit", "the data set is not batched: Keras trains on its batches "
                       "(train_dataset.batch(64))");
    if (d->subset == PY_TFDATA_VALIDATION)
        return py_fail(RNN_EUSAGE, "model.fit", "x is the validation subset: rnnlab trains on the training subset "
                       "(subset='training')");
    return RNN_OK;
}

/* validation_data=test_dataset: the test split's batches (validation_steps counts them); or the
 * validation subset of the directory whose training subset x is: validation_split=F. */
static int fit_validation_pipeline(const app_state *s, cmd_buf *cb, const rnn_value *v, const py_tfdata *d,
                                   const py_tfdata *x)
{
    char why[200];
    const char *split = data_split(v, "validation_data", why, sizeof why);
    if (!split) return py_fail(RNN_EUSAGE, "model.fit", "%s", why);
    if (!d->batch)
        return py_fail(RNN_EUSAGE, "model.fit", "validation_data is not batched: test_dataset.batch(64)");
    if (d->subset == PY_TFDATA_VALIDATION) {
        if (!x || x->subset != PY_TFDATA_TRAINING || x->vsplit != d->vsplit || strcmp(x->split, d->split))
            return py_fail(RNN_EUSAGE, "model.fit", "validation_data is a validation subset: x is expected to be the "
                           "training subset of the same directory and validation_split");
        cb_add(cb, " validation_split=%.17g", py_tfdata_fit_split(s, d));
        return RNN_OK;
    }
    if (strcmp(split, "test") != 0 || d->subset != PY_TFDATA_ALL)
        return py_fail(RNN_EUSAGE, "model.fit", "validation_data: expected the test split (rnnlab validates on it, or on "
                       "validation_split=)");
    if (x && x->subset == PY_TFDATA_TRAINING)
        return py_fail(RNN_EUSAGE, "model.fit", "x is a training subset and validation_data the test split: rnnlab "
                       "trains on the training subset only with its validation subset (validation_data=val_ds)");
    cb_add(cb, " validation_data=test validation_batch_size=%ld", d->batch);
    return RNN_OK;
}

static int stmt_fit(app_state *s, const rnn_call *c, bool *ran)
{
    *ran = false;
    const rnn_value *x = rnn_call_arg(c, 0, "x"), *y = rnn_call_arg(c, 1, "y");
    rnn_value vx = {0}, vy = {0};
    char why[200];
    int rc = x ? eval_data_arg(s, "model.fit", x, &vx) : py_fail(RNN_EUSAGE, "model.fit", "expected the training data: model.fit(x_train, y_train, ...)");
    if (!rc && y) rc = eval_data_arg(s, "model.fit", y, &vy);
    if (rc) { rnn_value_free(&vx); return rc; }
    const char *sx = data_split(&vx, "x", why, sizeof why);
    py_tfdata dx;
    bool pipeline = py_tfdata_get(&vx, &dx);
    if (!sx) rc = py_fail(RNN_EUSAGE, "model.fit", "%s", why);
    else if (strcmp(sx, "test") == 0) rc = py_fail(RNN_EUSAGE, "model.fit", "x is the test split: rnnlab trains on the train split");
    else if (pipeline) rc = fit_pipeline_check(&dx, y);
    else if (!data_note_skipped(s, "model.fit", &vx, "train") && y) data_note_skipped(s, "model.fit", &vy, "train");
    rnn_value_free(&vx);
    rnn_value_free(&vy);
    if (rc) return rc;
    cmd_buf *cb = malloc(sizeof *cb);
    if (!cb) return py_fail(RNN_EINTERNAL, "model.fit", "out of memory");
    cb_init(cb, "fit");
    if (pipeline) {
        /* its batches, read in order unless it was shuffled (Keras's shuffle= does not apply) */
        cb_add(cb, " batch_size=%ld%s", dx.batch, dx.shuffled ? "" : " shuffle=false");
        if (dx.shuffled)
            py_note(s, "model.fit: the data set's shuffling is rnnlab's shuffle of the whole training part at each epoch");
    }
    long epochs = 1, initial = 0;
    bool have_epochs = false;
    for (int i = 0; i < c->n_args && !rc; i++) {
        const char *k = c->keys[i];
        if (!k) {
            if (i >= 3) rc = py_fail(RNN_EUSAGE, "model.fit", "give the arguments after x, y and batch_size by keyword");
            else if (i == 2) k = "batch_size";
            else continue;
            if (rc) break;
        }
        if (!strcmp(k, "x") || !strcmp(k, "y")) continue;
        if (pipeline && (!strcmp(k, "batch_size") || !strcmp(k, "shuffle")) && c->args[i].type != RNN_VAL_NONE) {
            if (k[0] == 's') continue;   /* Keras ignores shuffle= for a data set */
            rc = py_fail(RNN_EUSAGE, "model.fit", "batch_size= with a tf.data data set: it is batched by its .batch(N)");
            break;
        }
        rnn_value v = {0};
        if (!strcmp(k, "validation_data") && c->args[i].type == RNN_VAL_LIST) {
            /* (x_test, y_test) or [x_test, y_test]: each item names data */
            v.type = RNN_VAL_LIST;
            v.is_tuple = c->args[i].is_tuple;
            if (!(v.items = calloc((size_t)c->args[i].n_items + 1, sizeof *v.items)))
                rc = py_fail(RNN_EINTERNAL, "model.fit", "out of memory");
            for (int j = 0; !rc && j < c->args[i].n_items; j++, v.n_items++)
                rc = eval_data_arg(s, "model.fit", &c->args[i].items[j], &v.items[j]);
        } else if (!strcmp(k, "callbacks") || !strcmp(k, "validation_data")) {
            rc = eval_data_arg(s, "model.fit", &c->args[i], &v);
        } else
            rc = eval_or_fail(s, "model.fit", &c->args[i], &v);
        if (rc) { rnn_value_free(&v); break; }
        if (!strcmp(k, "epochs") || !strcmp(k, "initial_epoch")) {
            if (v.type != RNN_VAL_NUMBER || !v.is_integer) rc = py_fail(RNN_EUSAGE, "model.fit", "%s= expects an integer", k);
            else if (k[0] == 'e') { epochs = py_long(v.number); have_epochs = true; }
            else initial = py_long(v.number);
        } else if (!strcmp(k, "batch_size") || !strcmp(k, "validation_split")) {
            if (v.type == RNN_VAL_NONE) {}
            else if (!is_number(&v)) rc = py_fail(RNN_EUSAGE, "model.fit", "%s= expects a number", k);
            else cb_key_number(cb, k, &v);
        } else if (!strcmp(k, "shuffle")) {
            if (v.type != RNN_VAL_BOOL) rc = py_fail(RNN_EUSAGE, "model.fit", "shuffle= expects True or False");
            else cb_add(cb, " shuffle=%s", v.number ? "true" : "false");
        } else if (!strcmp(k, "verbose")) {  /* 'auto' is 1, as Keras; fit checks the number's range */
            if (v.type == RNN_VAL_STRING && !strcmp(v.string, "auto")) {}
            else if (v.type != RNN_VAL_NUMBER || !v.is_integer)
                rc = py_fail(RNN_EUSAGE, "model.fit", "verbose= expects 0, 1, 2 or 'auto'");
            else cb_add(cb, " verbose=%ld", py_long(v.number));
        } else if (!strcmp(k, "validation_data")) {
            py_tfdata dv;
            const char *sv = v.type == RNN_VAL_LIST && v.n_items >= 2 ? data_split(&v.items[0], "validation_data", why, sizeof why) : NULL;
            if (py_tfdata_get(&v, &dv)) rc = fit_validation_pipeline(s, cb, &v, &dv, pipeline ? &dx : NULL);
            else if (!sv || strcmp(sv, "test") != 0)
                rc = py_fail(RNN_EUSAGE, "model.fit", "validation_data: expected (x_test, y_test), the loaded test split");
            else cb_add(cb, " validation_data=test");
        } else if (!strcmp(k, "validation_steps") || !strcmp(k, "validation_batch_size")) {
            if (v.type == RNN_VAL_NONE) {}
            else if (v.type != RNN_VAL_NUMBER || !v.is_integer || v.number < 1)
                rc = py_fail(RNN_EUSAGE, "model.fit", "%s= expects a positive integer", k);
            else cb_key_number(cb, k, &v);
        } else if (!strcmp(k, "class_weight")) {
            char text[1024];
            if (v.type == RNN_VAL_NONE) {}
            else if (v.type != RNN_VAL_DICT || !py_value_text(&v, text, sizeof text))
                rc = py_fail(RNN_EUSAGE, "model.fit", "class_weight: expected a dict such as {0: 1, 1: 6.5}");
            else
                cb_key_string(cb, "class_weight", text);   /* fit class_weight={0: 1, 1: 6.5} */
        } else if (!strcmp(k, "callbacks")) {
            char *text = malloc(CMD_MAX);
            if (!text) rc = py_fail(RNN_EINTERNAL, "model.fit", "out of memory");
            else if (v.type != RNN_VAL_LIST) rc = py_fail(RNN_EUSAGE, "model.fit", "callbacks: expected a list of callbacks");
            for (int j = 0; !rc && j < v.n_items; j++) {
                const rnn_value *cv = &v.items[j];
                if (cv->type != RNN_VAL_CALL || !py_name_in(py_basename(cv->call->name), callback_names))
                    rc = py_fail(RNN_EUSAGE, "model.fit", "callbacks: item %d is not a Keras callback", j + 1);
            }
            if (!rc && v.n_items > 0 && !py_value_text(&v, text, CMD_MAX))
                rc = py_fail(RNN_EUSAGE, "model.fit", "callbacks: a value rnnlab cannot pass");
            else if (!rc && v.n_items > 0)
                cb_key_string(cb, "callbacks", text);
            free(text);
        } else if (!strcmp(k, "steps_per_epoch") || !strcmp(k, "sample_weight") || !strcmp(k, "validation_freq")) {
            if (v.type != RNN_VAL_NONE && !(!strcmp(k, "validation_freq") && is_number(&v) && v.number == 1))
                rc = py_fail(RNN_EUSAGE, "model.fit", "%s= is not supported by rnnlab", k);
        } else
            rc = py_fail(RNN_EUSAGE, "model.fit", "unknown argument %s=", k);
        rnn_value_free(&v);
    }
    if (!rc && initial < 0)
        rc = py_fail(RNN_EUSAGE, "model.fit", "initial_epoch=%ld: expected 0 or more (the epochs already trained)", initial);
    if (!rc && initial >= epochs && have_epochs)
        rc = py_fail(RNN_EUSAGE, "model.fit", "initial_epoch=%ld: nothing to train with epochs=%ld", initial, epochs);
    if (!rc && pipeline && dx.subset == PY_TFDATA_TRAINING && !strstr(cb->text, "validation_split=")) {
        py_note(s, "model.fit: the training subset: rnnlab's fit validates on the validation subset too "
                "(validation_split=%g)", dx.vsplit);
        cb_add(cb, " validation_split=%.17g", py_tfdata_fit_split(s, &dx));
    }
    if (!rc) {
        cb_add(cb, " epochs=%ld", epochs - initial);
        if (initial > 0) py_note(s, "model.fit: initial_epoch=%ld: trains epochs %ld to %ld", initial, initial + 1, epochs);
        rc = run_cmd(s, "model.fit", cb);
        *ran = true;
    }
    free(cb);
    return rc;
}

static int stmt_evaluate(app_state *s, const rnn_call *c)
{
    const rnn_value *x = rnn_call_arg(c, 0, "x");
    rnn_value vx = {0};
    char why[200];
    const char *split = "test";
    int rc = x ? eval_data_arg(s, "model.evaluate", x, &vx) : RNN_OK;
    if (rc) return rc;
    py_tfdata dx;
    bool pipeline = x && py_tfdata_get(&vx, &dx);
    if (x) {
        split = data_split(&vx, "x", why, sizeof why);
        if (!split) rc = py_fail(RNN_EUSAGE, "model.evaluate", "%s", why);
        else if (!strcmp(split, "skipped")) { data_note_skipped(s, "model.evaluate", &vx, "test"); split = "test"; }
        else if (pipeline && !dx.batch) rc = py_fail(RNN_EUSAGE, "model.evaluate", "the data set is not batched: test_dataset.batch(64)");
        else if (pipeline && dx.subset != PY_TFDATA_ALL)
            rc = py_fail(RNN_EUSAGE, "model.evaluate", "a %s subset: rnnlab evaluates a whole split (the validation "
                         "subset's figures are fit's val_ metrics)", dx.subset == PY_TFDATA_TRAINING ? "training" : "validation");
    }
    rnn_value_free(&vx);
    if (rc) return rc;
    cmd_buf cb;
    cb_init(&cb, "evaluate");
    cb_add(&cb, " split=%s", split);
    if (pipeline) cb_add(&cb, " batch_size=%ld", dx.batch);
    for (int i = 0; i < c->n_args && !rc; i++) {
        const char *k = c->keys[i];
        if (!k || !strcmp(k, "x") || !strcmp(k, "y") || !strcmp(k, "verbose") || !strcmp(k, "return_dict")) continue;
        rnn_value v = {0};
        if ((rc = eval_or_fail(s, "model.evaluate", &c->args[i], &v))) break;
        if (!strcmp(k, "batch_size") && is_number(&v) && pipeline)
            rc = py_fail(RNN_EUSAGE, "model.evaluate", "batch_size= with a tf.data data set: it is batched by its .batch(N)");
        else if (!strcmp(k, "batch_size") && is_number(&v)) cb_key_number(&cb, "batch_size", &v);
        else if (!(!strcmp(k, "batch_size") && v.type == RNN_VAL_NONE))
            rc = py_fail(RNN_EUSAGE, "model.evaluate", "%s= is not supported by rnnlab", k);
        rnn_value_free(&v);
    }
    return rc ? rc : run_cmd(s, "model.evaluate", &cb);
}

/* The loss and metrics of the last evaluate, as Keras returns them (a number or a list; a dict of
 * them by name with return_dict=True). */
static bool eval_result(app_state *s, const rnn_call *c, rnn_value *out)
{
    memset(out, 0, sizeof *out);
    const rnn_eval *e = &s->last_eval;
    const rnn_value *rd = rnn_call_arg(c, -1, "return_dict");
    if (rd && rd->type == RNN_VAL_BOOL && rd->number != 0) {
        out->type = RNN_VAL_DICT;
        if (!(out->items = calloc(2 * (size_t)e->n + 1, sizeof *out->items))) return false;
        for (int i = 0; i < e->n; i++) {
            rnn_value *k = &out->items[out->n_items++], *v = &out->items[out->n_items++];
            k->type = RNN_VAL_STRING;
            if (!(k->string = strdup(e->names[i]))) return false;
            v->type = RNN_VAL_NUMBER;
            v->number = e->values[i];
        }
        return true;
    }
    if (e->n == 1) { out->type = RNN_VAL_NUMBER; out->number = e->values[0]; return true; }
    out->type = RNN_VAL_LIST;
    if (!(out->items = calloc((size_t)e->n, sizeof *out->items))) return false;
    for (int i = 0; i < e->n; i++) {
        out->items[i].type = RNN_VAL_NUMBER;
        out->items[i].number = e->values[i];
    }
    out->n_items = e->n;
    return true;
}

/* ---- predictions ---- */

/* The texts of a list of strings, or of texts_to_sequences(...) of new texts (padded or not); NULL
 * when v holds neither. */
static const rnn_value *texts_of(const rnn_value *v)
{
    if (v->type == RNN_VAL_CALL && !strcmp(v->call->name, "\001texts") && v->call->n_args == 1) v = &v->call->args[0];
    if (v->type != RNN_VAL_LIST || v->n_items == 0) return NULL;
    for (int i = 0; i < v->n_items; i++)
        if (v->items[i].type != RNN_VAL_STRING) return NULL;
    return v;
}

/* A row of predictions per new text, through the tokenizer and padding of the data. */
static int predict_new_texts(app_state *s, const rnn_value *list)
{
    char **texts = calloc((size_t)list->n_items, sizeof *texts);
    if (!texts) return py_fail(RNN_EINTERNAL, "model.predict", "out of memory");
    for (int i = 0; i < list->n_items; i++) texts[i] = list->items[i].string;
    int rc = app_predict_texts(s, app_command_find("predict"), texts, (size_t)list->n_items, NULL, list->n_items > 1);
    free(texts);
    return rc;
}

/* The keyword arguments of model.predict that change nothing in its result. */
static int predict_check_args(const rnn_call *c)
{
    for (int i = 0; i < c->n_args; i++) {
        const char *k = c->keys[i];
        if (!k && i > 1) return py_fail(RNN_EUSAGE, "model.predict", "give the arguments after x and batch_size by keyword");
        if (!k || !strcmp(k, "x") || !strcmp(k, "batch_size") || !strcmp(k, "verbose")) continue;
        if (!strcmp(k, "steps") && c->args[i].type == RNN_VAL_NONE) continue;
        return py_fail(RNN_EUSAGE, "model.predict", "%s= is not supported by rnnlab", k);
    }
    return RNN_OK;
}

/* y_pred = model.predict(x_test): the split's predictions, summed up in a line (predict split=S);
 * model.predict(['a new text']) or of padded new texts: a row per text. *result: pred.SPLIT or
 * pred.texts. */
static int stmt_predict(app_state *s, const rnn_call *c, rnn_value *result)
{
    const rnn_value *x = rnn_call_arg(c, 0, "x");
    if (!x) return py_fail(RNN_EUSAGE, "model.predict", "expected the texts to predict: model.predict(x_test)");
    rnn_value v = {0};
    int rc = predict_check_args(c);
    if (!rc) rc = eval_data_arg(s, "model.predict", x, &v);
    if (rc) return rc;
    const rnn_value *texts = texts_of(&v);
    const char *o = py_obj_is(&v, "data.");
    char what[48] = "pred.texts";
    py_tfdata d;
    if (py_tfdata_get(&v, &d) && d.part != PY_TFDATA_LABELS) o = !strcmp(d.split, "train") ? "train.texts" : "test.texts";
    if (texts) rc = predict_new_texts(s, texts);
    else if ((o && !strstr(o, "labels")) || py_obj_is(&v, "skipped.")) {
        const char *split = o && !strncmp(o, "train", 5) ? "train" : "test";
        data_note_skipped(s, "model.predict", &v, split);
        snprintf(what, sizeof what, "pred.%s", split);
        cmd_buf cb;
        cb_init(&cb, "predict");
        cb_add(&cb, " split=%s", split);
        rc = run_cmd(s, "model.predict", &cb);
    } else
        rc = py_fail(RNN_EUSAGE, "model.predict", "x: expected the loaded data (x_test, x_train) or a list of texts");
    rnn_value_free(&v);
    if (!rc && !py_obj_value(result, what)) rc = py_fail(RNN_EINTERNAL, "model.predict", "out of memory");
    return rc;
}

/* Whether c is model.predict(...) of the session's model. */
static bool is_model_predict(app_state *s, const rnn_call *c)
{
    const char *dot = strrchr(c->name, '.');
    if (!dot || strcmp(dot + 1, "predict") || dot - c->name >= 128) return false;
    char recv[128];
    snprintf(recv, sizeof recv, "%.*s", (int)(dot - c->name), c->name);
    return py_names_model(s, recv);
}

/* Runs each model.predict(...) inside an expression ((model.predict(x) > 0.5).astype(int),
 * print(model.predict(x))), replacing it with its result. */
static int run_inner_predicts(app_state *s, rnn_value *e)
{
    int rc = RNN_OK;
    if (e->type == RNN_VAL_CALL && is_model_predict(s, e->call)) {
        rnn_value r = {0};
        if ((rc = stmt_predict(s, e->call, &r))) return rc;
        rnn_value_free(e);
        *e = r;
        return RNN_OK;
    }
    if (e->type == RNN_VAL_CALL)
        for (int i = 0; i < e->call->n_args && !rc; i++) rc = run_inner_predicts(s, &e->call->args[i]);
    if (e->type == RNN_VAL_LIST || e->type == RNN_VAL_DICT || e->type == RNN_VAL_EXPR)
        for (int i = 0; i < e->n_items && !rc; i++) rc = run_inner_predicts(s, &e->items[i]);
    return rc;
}

static bool has_inner_predict(app_state *s, const rnn_value *e, bool top)
{
    if (e->type == RNN_VAL_CALL && is_model_predict(s, e->call)) return !top;
    if (e->type == RNN_VAL_CALL)
        for (int i = 0; i < e->call->n_args; i++)
            if (has_inner_predict(s, &e->call->args[i], false)) return true;
    if (e->type == RNN_VAL_LIST || e->type == RNN_VAL_DICT || e->type == RNN_VAL_EXPR)
        for (int i = 0; i < e->n_items; i++)
            if (has_inner_predict(s, &e->items[i], false)) return true;
    return false;
}

/* y_true of classification_report/confusion_matrix: the labels of a split ("test", "train"), or NULL. */
static const char *report_true_split(const char *what, const rnn_value *v)
{
    const char *o = py_obj_is(v, "data.");
    if (py_obj_is(v, "skipped.")) return "test";
    if (!o || !strstr(o, "labels")) {
        py_fail(RNN_EUSAGE, what, "y_true: expected the labels of the loaded data (y_test)");
        return NULL;
    }
    return strncmp(o, "test", 4) ? "train" : "test";
}

/* y_pred of classification_report/confusion_matrix: classes decided from model.predict's numbers. */
static int report_check_pred(app_state *s, const char *what, const rnn_value *v, const char *split)
{
    const char *p = py_obj_is(v, "pred.");
    const char *line = py_obj_is(v, "skipped.");
    if (line) {
        py_note(s, "%s: y_pred was made by the statement skipped %s; report predicts the %s split itself",
                what, line, split);
        return RNN_OK;
    }
    if (!p || !strcmp(p, "texts"))
        return py_fail(RNN_EUSAGE, what, "y_pred: expected the classes of model.predict's numbers "
                       "(y_pred > 0.5, np.argmax(y_pred, axis=1))");
    if (!strstr(p, ".classes"))
        return py_fail(RNN_EUSAGE, what, "y_pred holds probabilities, not classes: pass y_pred > 0.5 (one sigmoid "
                       "output) or np.argmax(y_pred, axis=1) (softmax)");
    if (strncmp(p, split, strlen(split)))
        return py_fail(RNN_EUSAGE, what, "y_true holds the %s split's labels, but y_pred predicts the other split", split);
    return RNN_OK;
}

/* print(classification_report(y_test, y_pred > 0.5)), confusion_matrix(y_test, y_pred): the report
 * command (scikit-learn's layout and the confusion matrix) on the split the labels come from. */
static int stmt_report(app_state *s, const rnn_call *c)
{
    const char *what = py_basename(c->name);
    const rnn_value *yt = rnn_call_arg(c, 0, "y_true"), *yp = rnn_call_arg(c, 1, "y_pred");
    if (!yt || !yp) return py_fail(RNN_EUSAGE, what, "expected y_true and y_pred: %s(y_test, y_pred > 0.5)", what);
    for (int i = 0; i < c->n_args; i++) {
        const char *k = c->keys[i];
        if (!k || !strcmp(k, "y_true") || !strcmp(k, "y_pred") || !strcmp(k, "target_names")) continue;
        if (!strcmp(k, "digits") && is_number(&c->args[i]) && c->args[i].number == 2) continue;
        return py_fail(RNN_EUSAGE, what, "%s= is not supported by rnnlab's report", k);
    }
    rnn_value vt = {0}, vp = {0};
    const char *split = NULL;
    int rc = eval_data_arg(s, what, yt, &vt);
    if (!rc) rc = eval_data_arg(s, what, yp, &vp);
    if (!rc && !(split = report_true_split(what, &vt))) rc = RNN_EUSAGE;
    if (!rc) rc = report_check_pred(s, what, &vp, split);
    rnn_value_free(&vt);
    rnn_value_free(&vp);
    if (rc) return rc;
    char cmd[48];
    snprintf(cmd, sizeof cmd, "report split=%s", split);
    return app_exec_command(s, cmd);
}

static bool is_report_call(const rnn_call *c)
{
    const char *b = py_basename(c->name);
    return !strcmp(b, "classification_report") || !strcmp(b, "confusion_matrix");
}

/* Whether the data is the DataFrame's file split by train_test_split. */
static bool ps_frame_split(app_state *s)
{
    py_session *ps = py_session_get(s);
    return ps->frame.path && ps->frame.split && s->ds && s->ds->test.n > 0;
}

/* encoder.adapt(train_dataset.map(lambda text, label: text)) */
static int stmt_adapt(app_state *s, const rnn_value *tv, const rnn_call *c)
{
    const rnn_value *data = rnn_call_arg(c, 0, "data");
    if (!data)
        return py_fail(RNN_EUSAGE, "adapt", "expected the texts: encoder.adapt(train_dataset.map(lambda text, label: text))");
    for (int i = 0; i < c->n_args; i++)   /* batch_size=, steps= */
        if (&c->args[i] != data && c->args[i].type != RNN_VAL_NONE)
            return py_fail(RNN_EUSAGE, "adapt", "%s=: rnnlab adapts on the whole train split", c->keys[i] ? c->keys[i] : "batch_size");
    rnn_value texts = {0};
    int rc = eval_data_arg(s, "adapt", data, &texts);
    char why[400] = "";
    if (!rc) rc = py_textvec_adapt(s, tv, &texts, ps_frame_split(s), why, sizeof why);
    rnn_value_free(&texts);
    return rc && why[0] ? py_fail(rc, "adapt", "%s", why) : rc;
}

static int stmt_tokenizer_fit(app_state *s, const rnn_value *tok, const rnn_call *c)
{
    cmd_buf cb;
    cb_init(&cb, "tokenize");
    int rc = RNN_OK;
    if (c->n_args != 1) return py_fail(RNN_EUSAGE, "fit_on_texts", "expected the texts: tokenizer.fit_on_texts(x_train)");
    rnn_value texts = {0};
    if ((rc = eval_data_arg(s, "fit_on_texts", &c->args[0], &texts))) return rc;
    const char *o = py_obj_is(&texts, "data.");
    const char *line = py_obj_is(&texts, "skipped.");
    if (line) py_note(s, "fit_on_texts: its texts were made by the statement skipped %s; it fits on the loaded data set", line);
    else if (!o || !strstr(o, "texts")) rc = py_fail(RNN_EUSAGE, "fit_on_texts", "expected the loaded texts (x_train)");
    else if (strncmp(o, "test", 4) == 0) rc = py_fail(RNN_EUSAGE, "fit_on_texts", "the tokenizer is fitted on the train texts, not the test texts");
    rnn_value_free(&texts);
    if (rc) return rc;
    if (!s->ds) return py_fail(RNN_EUSAGE, "fit_on_texts", "no data set is loaded");
    if (ps_frame_split(s)) cb_add(&cb, " fit_on=train");   /* fitted after train_test_split */
    const rnn_call *t = tok->call;
    static const char *const keys[] = {"num_words", "filters", "lower", "split", "char_level", "oov_token", NULL};
    for (int i = 0; i < t->n_args && !rc; i++) {
        const char *k = t->keys[i] ? t->keys[i] : i < 6 ? keys[i] : NULL;
        const rnn_value *v = &t->args[i];
        if (!k) { rc = py_fail(RNN_EUSAGE, "Tokenizer", "too many positional arguments"); break; }
        if (v->type == RNN_VAL_NONE) continue;
        if (!strcmp(k, "document_count") || !strcmp(k, "analyzer")) { rc = py_fail(RNN_EUSAGE, "Tokenizer", "%s= is not supported by rnnlab", k); break; }
        if (!py_name_in(k, keys)) { rc = py_fail(RNN_EUSAGE, "Tokenizer", "unknown argument %s=", k); break; }
        if (v->type == RNN_VAL_STRING) cb_key_string(&cb, k, v->string);
        else if (v->type == RNN_VAL_BOOL) cb_add(&cb, " %s=%s", k, v->number ? "true" : "false");
        else if (is_number(v)) cb_key_number(&cb, k, v);
        else rc = py_fail(RNN_EUSAGE, "Tokenizer", "%s= expects a number, string or True/False", k);
    }
    return rc ? rc : run_cmd(s, "fit_on_texts", &cb);
}

/* pad_sequences of new texts with another maxlen than the data's: said, as predict pads them as
 * the data (the model was built for that length). */
static int pad_new_texts_note(app_state *s, const rnn_call *c)
{
    const rnn_value *m = rnn_call_arg(c, 1, "maxlen");
    rnn_value v = {0};
    char why[200];
    if (m && py_eval(s, m, &v, why, sizeof why) == RNN_OK && is_number(&v) && s->prep.maxlen > 0 &&
        py_long(v.number) != s->prep.maxlen)
        py_note(s, "pad_sequences: maxlen=%ld: model.predict pads new texts as the training data, to maxlen=%ld",
                py_long(v.number), (long)s->prep.maxlen);
    rnn_value_free(&v);
    return RNN_OK;
}

/* pad_sequences(x, maxlen=..., padding=..., truncating=..., value=...) pads both splits. */
static int stmt_pad(app_state *s, const rnn_call *c, rnn_value *result)
{
    rnn_value args = {0};
    rnn_value wrapped = {.type = RNN_VAL_CALL, .call = (rnn_call *)c};
    const rnn_value *x0 = rnn_call_arg(c, 0, "sequences");
    rnn_value vx = {0};
    int rc = x0 ? eval_data_arg(s, "pad_sequences", x0, &vx) : py_fail(RNN_EUSAGE, "pad_sequences", "expected the sequences");
    if (rc) return rc;
    if (texts_of(&vx)) {
        /* new texts (to predict): model.predict pads them as the training data */
        *result = vx;
        return pad_new_texts_note(s, c);
    }
    const char *o = py_obj_is(&vx, "data.");
    const char *line = py_obj_is(&vx, "skipped.");
    if (line) py_note(s, "pad_sequences: its sequences were made by the statement skipped %s; it pads the loaded data set", line);
    else if (!o) rc = py_fail(RNN_EUSAGE, "pad_sequences", "expected the encoded data (tokenizer.texts_to_sequences(x_train))");
    if (!rc) {
        char what[64];
        snprintf(what, sizeof what, "data.%s.ids", o && strncmp(o, "test", 4) == 0 ? "test" : "train");
        rc = py_obj_value(result, what) ? RNN_OK : py_fail(RNN_EINTERNAL, "pad_sequences", "out of memory");
    }
    rnn_value_free(&vx);
    if (rc) return rc;
    /* the arguments besides the sequences */
    rnn_call rest = *c;
    rest.n_args = 0;
    rnn_value *a = calloc((size_t)c->n_args + 1, sizeof *a);
    char **k = calloc((size_t)c->n_args + 1, sizeof *k);
    if (!a || !k) { free(a); free(k); return py_fail(RNN_EINTERNAL, "pad_sequences", "out of memory"); }
    for (int i = 0; i < c->n_args; i++)
        if (&c->args[i] != x0) { a[rest.n_args] = c->args[i]; k[rest.n_args++] = c->keys[i]; }
    rest.args = a;
    rest.keys = k;
    wrapped.call = &rest;
    rc = eval_or_fail(s, "pad_sequences", &wrapped, &args);
    free(a);
    free(k);
    if (rc) return rc;
    cmd_buf cb;
    cb_init(&cb, "pad");
    static const char *const keys[] = {"maxlen", "dtype", "padding", "truncating", "value", NULL};
    long maxlen = -1;
    const char *padding = "pre", *truncating = "pre";
    for (int i = 0; i < args.call->n_args && !rc; i++) {
        const char *key = args.call->keys[i] ? args.call->keys[i] : i < 5 ? keys[i] : NULL;
        const rnn_value *v = &args.call->args[i];
        if (!key || !py_name_in(key, keys)) rc = py_fail(RNN_EUSAGE, "pad_sequences", "unknown argument %s", key ? key : "");
        else if (!strcmp(key, "dtype")) continue;
        else if (v->type == RNN_VAL_NONE) continue;
        else if (!strcmp(key, "maxlen") || !strcmp(key, "value")) {
            if (!is_number(v)) rc = py_fail(RNN_EUSAGE, "pad_sequences", "%s= expects a number", key);
            else { cb_key_number(&cb, key, v); if (key[0] == 'm') maxlen = py_long(v->number); }
        } else if (v->type != RNN_VAL_STRING) rc = py_fail(RNN_EUSAGE, "pad_sequences", "%s= expects 'pre' or 'post'", key);
        else {
            cb_add(&cb, " %s=%s", key, v->string);
            if (key[0] == 'p') padding = v->string; else truncating = v->string;
        }
    }
    /* the second split of the same padding: pad already did both */
    bool same = !rc && s->x_train.data && maxlen == s->prep.maxlen && s->prep.pad_post == (strcmp(padding, "post") == 0) &&
                s->prep.trunc_post == (strcmp(truncating, "post") == 0);
    if (!rc && !same) rc = run_cmd(s, "pad_sequences", &cb);
    rnn_value_free(&args);
    return rc;
}

/* imdb.load_data(num_words=N): rnnlab's IMDB, tokenized with its Tokenizer. */
static int stmt_imdb(app_state *s, const rnn_call *c)
{
    rnn_value args = {0};
    rnn_value wrapped = {.type = RNN_VAL_CALL, .call = (rnn_call *)c};
    int rc = eval_or_fail(s, "imdb.load_data", &wrapped, &args);
    if (rc) return rc;
    cmd_buf cb;
    cb_init(&cb, "tokenize oov_token='[OOV]'");
    for (int i = 0; i < args.call->n_args && !rc; i++) {
        const char *k = args.call->keys[i];
        const rnn_value *v = &args.call->args[i];
        if (!k) k = i == 0 ? "path" : i == 1 ? "num_words" : "";
        if (!strcmp(k, "num_words")) {
            if (v->type == RNN_VAL_NONE) continue;
            if (!is_number(v)) rc = py_fail(RNN_EUSAGE, "imdb.load_data", "num_words= expects an integer");
            else cb_key_number(&cb, "num_words", v);
        } else if (!strcmp(k, "path") || !strcmp(k, "seed") || !strcmp(k, "oov_char") || !strcmp(k, "start_char") ||
                   !strcmp(k, "index_from")) {
            continue;   /* keras.datasets' file and id layout: rnnlab's ids are its Tokenizer's */
        } else if (!strcmp(k, "skip_top") || !strcmp(k, "maxlen")) {
            if (v->type != RNN_VAL_NONE && !(is_number(v) && v->number == 0))
                rc = py_fail(RNN_EUSAGE, "imdb.load_data", "%s= is not supported by rnnlab (pad cuts the reviews)", k);
        } else
            rc = py_fail(RNN_EUSAGE, "imdb.load_data", "unknown argument %s=", k);
    }
    rnn_value_free(&args);
    if (rc) return rc;
    cmd_buf load;
    cb_init(&load, "load imdb");
    if ((rc = run_cmd(s, "imdb.load_data", &load))) return rc;
    py_session *ps = py_session_get(s);
    if (!ps->said_word_ids) {
        py_note(s, "imdb.load_data: the word ids are rnnlab's Tokenizer's, fitted on the train reviews (words past "
                "num_words become '[OOV]'), not keras.datasets' precomputed ids");
        ps->said_word_ids = true;
    }
    return run_cmd(s, "imdb.load_data", &cb);
}

/* Binds the names of an assignment's targets to the values (tuples unpack). */
static int bind_targets(app_state *s, const rnn_value *target, const rnn_value *v)
{
    py_session *ps = py_session_get(s);
    /* os.environ["KERAS_BACKEND"] = "tensorflow": the Python process's settings; rnnlab is its own backend */
    if (target->type == RNN_VAL_EXPR && !strcmp(target->string, "[]") && target->items[0].type == RNN_VAL_IDENT &&
        !strcmp(target->items[0].string, "os.environ"))
        return RNN_OK;
    if (target->type == RNN_VAL_EXPR && !strcmp(target->string, "[]") && target->items[0].type == RNN_VAL_IDENT &&
        target->items[1].type == RNN_VAL_STRING && py_obj_is(py_lookup(ps, target->items[0].string), "frame"))
        return py_frame_assign(s, target->items[1].string, v);   /* df['label'] = df['label'].map({...}) */
    if (target->type == RNN_VAL_IDENT && strchr(target->string, '.')) {
        char base[128];
        const char *dot = strrchr(target->string, '.');
        snprintf(base, sizeof base, "%.*s", (int)(dot - target->string < 127 ? dot - target->string : 127), target->string);
        if (!strcmp(dot, ".columns") && py_obj_is(py_lookup(ps, base), "frame")) return py_frame_rename(s, v);
        if (py_obj_is(py_lookup(ps, base), "frame") && !strchr(base, '.'))
            return py_frame_assign(s, dot + 1, v);   /* df.label = df.label.map({...}) */
        return py_fail(RNN_EUSAGE, "assignment", "rnnlab binds names, not attributes (%s)", target->string);
    }
    if (target->type == RNN_VAL_IDENT) {
        return py_bind(ps, target->string, v) ? RNN_OK : py_fail(RNN_EINTERNAL, "assignment", "out of memory");
    }
    if (target->type == RNN_VAL_LIST) {
        if (v->type != RNN_VAL_LIST || v->n_items != target->n_items)
            return py_fail(RNN_EUSAGE, "assignment", "cannot unpack: %d names for %d values", target->n_items,
                            v->type == RNN_VAL_LIST ? v->n_items : 1);
        for (int i = 0; i < target->n_items; i++) {
            int rc = bind_targets(s, &target->items[i], &v->items[i]);
            if (rc) return rc;
        }
        return RNN_OK;
    }
    return py_fail(RNN_EUSAGE, "assignment", "rnnlab binds names, not subscripts or attributes");
}

/* Every name of the targets, bound to `what` (the same value for all). */
static void bind_all(app_state *s, const rnn_value *target, const rnn_value *what)
{
    if (target->type == RNN_VAL_IDENT && !strchr(target->string, '.')) py_bind(py_session_get(s), target->string, what);
    else if (target->type == RNN_VAL_LIST)
        for (int i = 0; i < target->n_items; i++) bind_all(s, &target->items[i], what);
}

static int expr_parse_tuple(const char *text, rnn_value *out, rnn_error *err);

/* The names an assignment's text binds, made unusable by a skip (even when it does not parse). */
static void bind_skipped_text(app_state *s, const char *lhs)
{
    rnn_value target = {0}, sk = {0};
    rnn_error err = {0};
    char what[48];
    int line = py_session_get(s)->line;   /* 0 at the prompt and in -c */
    if (line > 0) snprintf(what, sizeof what, "skipped.at line %d", line);
    else snprintf(what, sizeof what, "skipped.earlier");
    if (expr_parse_tuple(lhs, &target, &err) == RNN_OK && py_obj_value(&sk, what)) bind_all(s, &target, &sk);
    rnn_value_free(&target);
    rnn_value_free(&sk);
}

/* ---- statements ---- */

typedef struct stmt_parts {
    char *lhs, *rhs;             /* assignment: the two sides (malloc'd); rhs NULL otherwise */
    char op;                     /* augmented assignment operator (+=), 0 */
} stmt_parts;

/* Splits "a, b = expr" at its top-level '=' (not ==, <=, >=, !=, or inside brackets and strings). */
static bool split_assignment(const char *stmt, stmt_parts *p)
{
    int depth = 0;
    char quote = 0;
    memset(p, 0, sizeof *p);
    for (const char *c = stmt; *c; c++) {
        if (quote) { if (*c == '\\' && c[1]) c++; else if (*c == quote) quote = 0; continue; }
        if (*c == '\'' || *c == '"') { quote = *c; continue; }
        if (strchr("([{", *c)) depth++;
        else if (strchr(")]}", *c)) depth--;
        else if (*c == '=' && depth == 0 && c[1] != '=' && (c == stmt || !strchr("=<>!", c[-1]))) {
            const char *e = c;
            if (c > stmt && strchr("+-*/%", c[-1])) { p->op = c[-1]; e = c - 1; }
            p->lhs = strndup(stmt, (size_t)(e - stmt));
            p->rhs = strdup(c + 1);
            return p->lhs && p->rhs;
        }
    }
    return false;
}

/* Statements that print: print(...), display(...). */
/* The text print shows for v (a string as it is, another value as its repr), malloc'd; NULL for a
 * value rnnlab does not print or one over PRINT_MAX bytes. */
enum { PRINT_MAX = 64 << 20 };
static char *print_text(const rnn_value *v)
{
    if (v->type == RNN_VAL_CALL && !py_array_kind(v, NULL)) return NULL;   /* a tensor prints; a layer not */
    return v->type == RNN_VAL_STRING ? strdup(v->string) : py_value_text_alloc(v, PRINT_MAX);
}

static int stmt_print(app_state *s, const char *stmt, const rnn_call *c)
{
    if (c->n_args == 1 && !c->keys[0] && c->args[0].type == RNN_VAL_CALL) {
        const rnn_call *in = c->args[0].call;
        const char *b = py_basename(in->name);
        if (!strcmp(b, "summary")) return app_exec_command(s, "summary");
        if (is_report_call(in)) return stmt_report(s, in);
        if (!strcmp(b, "texts_to_sequences") && in->n_args == 1) {
            rnn_value v = {0};
            char why[200];
            if (py_eval(s, &in->args[0], &v, why, sizeof why) == RNN_OK && v.type == RNN_VAL_LIST) {
                int rc = RNN_OK;
                for (int i = 0; i < v.n_items && !rc; i++) {
                    if (v.items[i].type != RNN_VAL_STRING) continue;
                    cmd_buf cb;
                    cb_init(&cb, "encode");
                    cb_key_string(&cb, "x", v.items[i].string);
                    /* encode takes the text as one positional word */
                    memmove(cb.text + 7, cb.text + 9, strlen(cb.text + 9) + 1);
                    rc = run_cmd(s, "texts_to_sequences", &cb);
                }
                rnn_value_free(&v);
                return rc;
            }
            rnn_value_free(&v);
        }
    }
    /* values print as Python prints them, whatever their length (up to PRINT_MAX bytes each) */
    rnn_strbuf line = {0};
    int rc = RNN_OK;
    bool printed = false, skipped = false;   /* a skipped print prints nothing of its line */
    for (int i = 0; i < c->n_args && !rc; i++) {
        if (c->keys[i]) {
            if (!strcmp(c->keys[i], "sep") || !strcmp(c->keys[i], "end") || !strcmp(c->keys[i], "flush")) continue;
            return py_skip(s, stmt, "print's %s= is not something rnnlab prints", c->keys[i]);
        }
        rnn_value v = {0};
        char why[300];
        if (py_eval(s, &c->args[i], &v, why, sizeof why)) { rc = py_skip(s, stmt, "%s", why); skipped = true; break; }
        const char *pred = py_obj_is(&v, "pred.");
        bool shown = py_obj_is(&v, "report") || (pred && !strcmp(pred, "texts"));
        if (shown && c->n_args == 1) { rnn_value_free(&v); printed = true; break; }   /* printed when it was made */
        if (pred) {
            rc = py_skip(s, stmt, "model.predict summed up the predictions of the split; `predict split=%.*s "
                         "output=FILE.csv` writes them all", (int)strcspn(pred, "."), pred);
            rnn_value_free(&v);
            skipped = true;
            break;
        }
        char *text = print_text(&v);
        rnn_value_free(&v);
        if (!text) { rc = py_skip(s, stmt, "a value rnnlab does not print"); skipped = true; break; }
        if (i) rnn_strbuf_put(&line, " ", 1);
        rnn_strbuf_put(&line, text, strlen(text));
        free(text);
    }
    if (!rc && line.oom) rc = py_fail(RNN_EINTERNAL, "print", "out of memory");
    else if (!rc && !printed && !skipped) app_printf("%s\n", line.s ? line.s : "");
    free(line.s);
    return rc;
}

/* plt.plot(history.history['acc'], ...): the plot command, once per metric and run. */
static int stmt_plot(app_state *s, const char *stmt, const rnn_call *c)
{
    static char last_plot[96];
    for (int i = 0; i < c->n_args; i++) {
        if (c->keys[i]) continue;
        const rnn_value *a = &c->args[i];
        const char *metric = NULL;
        rnn_value v = {0};
        char why[200], name[64];
        /* history.history['acc'] or a name bound to it: a curve */
        if (py_eval(s, a, &v, why, sizeof why) == RNN_OK && py_obj_is(&v, "curve.")) {
            snprintf(name, sizeof name, "%s", py_obj_is(&v, "curve."));
            metric = name;
        }
        rnn_value_free(&v);
        if (!metric) continue;
        /* the train curve's name: the chart shows its validation curve beside it */
        const char *m = !strncmp(metric, "val_", 4) ? metric + 4 : metric;
        if (!*m)
            return py_skip(s, stmt, "plot draws a fit's curves: plt.plot(history.history['loss'])");
        char key[96];
        snprintf(key, sizeof key, "%.63s/%d", m, s->n_runs);
        if (!strcmp(key, last_plot)) return RNN_OK;   /* its validation curve is in the chart already */
        snprintf(last_plot, sizeof last_plot, "%s", key);
        char cmd[96];
        snprintf(cmd, sizeof cmd, "plot metric=%.63s", m);
        return app_exec_command(s, cmd);
    }
    return py_skip(s, stmt, "plot draws a fit's curves: plt.plot(history.history['loss'])");
}

static bool is_plt_formatting(const char *name)
{
    static const char *const f[] = {"title", "xlabel", "ylabel", "legend", "show", "figure", "grid", "xlim", "ylim",
                                    "subplot", "tight_layout", "xticks", "yticks", "clf", "close", NULL};
    return (!strncmp(name, "plt.", 4) || !strncmp(name, "pyplot.", 7)) && py_name_in(py_basename(name), f);
}

const py_func *py_find_func(py_session *ps, const char *name)
{
    for (int i = 0; i < ps->n_funcs; i++)
        if (!strcmp(ps->funcs[i].name, name)) return &ps->funcs[i];
    return NULL;
}

static int run_block_body(app_state *s, const char *body, int first_line);

/* A skipped download of a data set rnnlab knows (the SMS Spam Collection's archive named in a
 * tutorial's code): rnnlab loads its own copy instead, once. */
static int load_named_data(app_state *s, const char *text)
{
    if (s->ds || !strstr(text, "smsspamcollection")) return RNN_OK;
    py_note(s, "the SMS Spam Collection this code downloads is rnnlab's `load sms` (ham=0, spam=1: the tutorial's own "
            "labels may be the other way round)");
    return app_exec_command(s, "load sms");
}

/* texts = [clean(x) for x in texts], where clean is the script's function of re.sub and lower():
 * the cleaning `load sms clean=true` does (drop punctuation, underscores and digits, collapse
 * spaces, lower the case), when the SMS data is loaded. */
static int clean_texts(app_state *s, const char *stmt)
{
    char fn[128];
    const char *open = strchr(stmt, '[');
    py_session *ps = py_session_get(s);
    if (!open || !s->ds || strcmp(s->ds->name, "sms") || sscanf(open + 1, " %127[A-Za-z0-9_](", fn) != 1) return -1;
    const py_func *f = py_find_func(ps, fn);
    if (!f || !f->params || !strstr(f->body, "re.sub") || !strstr(f->body, ".lower()") || !strstr(stmt, " for "))
        return -1;
    py_note(s, "%s() cleans the texts as `load sms clean=true` does; rnnlab loads the cleaned texts", fn);
    return app_exec_command(s, "load sms clean=true");
}

/* How deep calls of defs nest: tutorials nest two or three; each level holds a statement's frames
 * (tens of KB, several times that in a sanitizer build) on the stack. */
enum { CALL_DEPTH_MAX = 10 };

/* NAME(args) of a def: its parameters bound to the arguments while its body runs (then the names
 * hold what they held before). */
static int call_func(app_state *s, const py_func *f, const rnn_call *c)
{
    py_session *ps = py_session_get(s);
    int n = f->n_names, rc = RNN_OK, line = f->line;
    char **names = f->names;   /* f moves when the body defines a function */
    if (ps->call_depth >= CALL_DEPTH_MAX) return py_fail(RNN_EUSAGE, f->name, "calls nested more than %d deep", CALL_DEPTH_MAX);
    rnn_value *args = calloc((size_t)n + 1, sizeof *args), *saved = calloc((size_t)n + 1, sizeof *saved);
    bool *had = calloc((size_t)n + 1, sizeof *had);
    char *body = strdup(f->body);
    if (!args || !saved || !had || !body) rc = py_fail(RNN_EINTERNAL, f->name, "out of memory");
    for (int i = 0; !rc && i < n; i++)
        if (c->keys[i]) rc = py_fail(RNN_EUSAGE, f->name, "give its arguments by position");
        else rc = eval_or_fail(s, f->name, &c->args[i], &args[i]);
    for (int i = 0; !rc && i < n; i++) {
        const rnn_value *old = py_lookup(ps, names[i]);
        if ((had[i] = old != NULL) && !rnn_value_copy(&saved[i], old)) rc = py_fail(RNN_EINTERNAL, f->name, "out of memory");
    }
    for (int i = 0; !rc && i < n; i++)
        if (!py_bind(ps, names[i], &args[i])) rc = py_fail(RNN_EINTERNAL, f->name, "out of memory");
    if (!rc) {
        ps->call_depth++;
        rc = run_block_body(s, body, line);
        ps->call_depth--;
        for (int i = 0; i < n; i++) {
            if (had[i]) py_bind(ps, names[i], &saved[i]);
            else py_unbind(ps, names[i]);
        }
    }
    for (int i = 0; args && saved && i < n; i++) {
        rnn_value_free(&args[i]);
        rnn_value_free(&saved[i]);
    }
    free(args);
    free(saved);
    free(had);
    free(body);
    return rc;
}

/* A statement that is a call: model methods, tokenizer methods, print, plot, seeds. */
static int stmt_call(app_state *s, const char *stmt, const rnn_call *c, rnn_value *result, bool *has_result)
{
    const char *name = c->name, *b = py_basename(name);
    py_session *ps = py_session_get(s);
    *has_result = false;
    /* receiver.method(...) */
    const char *dot = strrchr(name, '.');
    const rnn_value *recv = NULL;
    char rname[128] = "";
    if (dot) {
        snprintf(rname, sizeof rname, "%.*s", (int)(dot - name < 127 ? dot - name : 127), name);
        recv = py_lookup(ps, rname);
    }
    bool model_recv = dot && ((recv && py_obj_is(recv, "model")) || (!recv && !strchr(rname, '.') &&
                      (!strcmp(b, "add") || !strcmp(b, "compile") || !strcmp(b, "fit") || !strcmp(b, "evaluate") ||
                       !strcmp(b, "summary") || !strcmp(b, "pop") || !strcmp(b, "predict")) && s->model));
    if (model_recv || (dot && !recv && !strcmp(rname, "model"))) {
        if (!strcmp(b, "add")) {
            if (c->n_args != 1) return py_fail(RNN_EUSAGE, "model.add", "expected one layer");
            rnn_value v = {0};
            int rc = eval_or_fail(s, "model.add", &c->args[0], &v);
            if (!rc && !s->model) rc = app_exec_command(s, "model new");
            if (!rc) rc = add_layer(s, &v);
            rnn_value_free(&v);
            return rc;
        }
        if (!strcmp(b, "summary")) return app_exec_command(s, "summary");
        if (!strcmp(b, "pop")) return app_exec_command(s, "pop");
        if (!strcmp(b, "compile") && recv && py_obj_is(recv, "model.endtoend")) {
            py_note(s, "%s.compile: the model with its TextVectorization is the model itself: it stays compiled as it "
                    "is (its loss and metrics give the same figures on texts)", rname);
            return RNN_OK;
        }
        if (!strcmp(b, "compile")) return stmt_compile(s, c);
        if (!strcmp(b, "fit")) {
            bool ran;
            int rc = stmt_fit(s, c, &ran);
            if (ran && (rc == RNN_OK || rc == APP_INTERRUPTED)) *has_result = py_obj_value(result, "history");
            return rc;
        }
        if (!strcmp(b, "evaluate")) {
            int rc = stmt_evaluate(s, c);
            if (!rc) *has_result = eval_result(s, c, result);
            return rc;
        }
        if (!strcmp(b, "save")) {
            rnn_value v = {0};
            int rc = eval_path(s, "model.save", c->n_args >= 1 ? &c->args[0] : NULL, &v);
            if (!rc) {
                py_note(s, "model.save: %s is rnnlab's whole-pipeline save file (open reads it), not a Keras file", v.string);
                rc = run_path_cmd(s, "model.save", "save", v.string);
            }
            rnn_value_free(&v);
            return rc;
        }
        if (!strcmp(b, "predict")) {
            int rc = stmt_predict(s, c, result);
            *has_result = rc == RNN_OK;
            return rc;
        }
        if (!strcmp(b, "count_params") && c->n_args == 0 && s->model) {
            py_count_params(s, result);
            *has_result = true;
            return RNN_OK;
        }
        return py_skip(s, stmt, "%s is not a model method rnnlab runs", b);
    }
    if (recv && recv->type == RNN_VAL_CALL && !strcmp(py_basename(recv->call->name), "Tokenizer")) {
        if (!strcmp(b, "fit_on_texts")) return stmt_tokenizer_fit(s, recv, c);
    }
    if (py_is_textvec(recv) && !strcmp(b, "adapt")) return stmt_adapt(s, recv, c);
    if (!strcmp(name, "tfds.disable_progress_bar") || !strcmp(name, "tfds.enable_progress_bar"))
        return RNN_OK;   /* rnnlab's loading shows no download bar */
    if (!strcmp(b, "set_random_seed") || !strcmp(name, "tf.random.set_seed") || !strcmp(name, "np.random.seed") ||
        !strcmp(name, "random.seed") || !strcmp(name, "torch.manual_seed")) {
        rnn_value v = {0};
        int rc = c->n_args == 1 ? eval_or_fail(s, name, &c->args[0], &v) : py_fail(RNN_EUSAGE, name, "expected a seed");
        if (!rc && (v.type != RNN_VAL_NUMBER || !v.is_integer || v.number < 0))
            rc = py_fail(RNN_EUSAGE, name, "expected a non-negative integer seed");
        if (!rc) {
            char cmd[64];
            snprintf(cmd, sizeof cmd, "set seed=%.0f", v.number);
            rc = app_exec_command(s, cmd);
        }
        rnn_value_free(&v);
        return rc;
    }
    if (!strcmp(name, "print") || !strcmp(name, "display")) return stmt_print(s, stmt, c);
    if (!strcmp(name, "plt.plot") || !strcmp(name, "pyplot.plot")) return stmt_plot(s, stmt, c);
    if (is_plt_formatting(name)) return RNN_OK;   /* the plot command draws its own axes, title and legend */
    if (!strcmp(name, "quit") || !strcmp(name, "exit")) return APP_QUIT;
    if (!dot) {
        const py_func *f = py_find_func(ps, name);
        if (f && (!f->params ? c->n_args == 0 : f->n_names == c->n_args)) return call_func(s, f, c);
    }
    if (is_report_call(c)) {
        int rc = stmt_report(s, c);
        *has_result = rc == RNN_OK && py_obj_value(result, "report");
        return rc;
    }
    if (!strcmp(b, "pad_sequences") || !strcmp(b, "texts_to_sequences"))
        return py_skip(s, stmt, "its result is not kept: write x_train = %s(...)", b);
    /* numpy of predictions: np.argmax(y_pred, axis=1), y_pred.round() */
    rnn_value wrapped = {.type = RNN_VAL_CALL, .call = (rnn_call *)c}, v = {0};
    char why[300];
    int erc = py_eval(s, &wrapped, &v, why, sizeof why);
    bool value_recv = recv && (py_obj_is(recv, "tfdata.") || py_is_textvec(recv) ||  /* d.batch(4), e.get_vocabulary() */
                               py_obj_is(recv, "history.history"));                    /* history_dict.keys() */
    bool tensor = (v.type == RNN_VAL_CALL && !strcmp(v.call->name, "\001tensor")) ||   /* vectorize_layer(inputs) */
                  (!strcmp(name, "tf.constant") && v.type != RNN_VAL_CALL);             /* tf.constant(["a text"]) */
    bool plain = v.type == RNN_VAL_STRING || v.type == RNN_VAL_NUMBER || v.type == RNN_VAL_BOOL ||
                 v.type == RNN_VAL_LIST || v.type == RNN_VAL_DICT;   /* words = text.split() */
    if (erc == RNN_OK && (py_obj_is(&v, "pred.") || py_obj_is(&v, "frame") || value_recv || tensor || plain ||
                          (v.type == RNN_VAL_CALL && !strcmp(py_basename(v.call->name), "LabelEncoder")))) {
        *result = v;
        *has_result = true;
        return RNN_OK;
    }
    rnn_value_free(&v);
    if (value_recv) return py_skip(s, stmt, "%s", why);
    if (dot && recv && py_obj_is(recv, "frame") && !strcmp(py_obj_is(recv, "frame"), "")) {
        /* df = df.dropna(): said, and df stays the DataFrame of the whole file */
        int rc = py_skip(s, stmt, "%s", why);
        *has_result = rc == RNN_OK && rnn_value_copy(result, recv);
        return rc;
    }
    if (dot && py_skipped_receiver(s, rname, why, sizeof why) != RNN_OK)  /* b.batch(4), b skipped */
        return py_skip(s, stmt, "%s", why);
    if (erc != RNN_OK && why[0])  /* a call rnnlab computes, given what it cannot take: os.path.join('a', 3) */
        return py_skip(s, stmt, "%s", why);
    return py_skip(s, stmt, "%s() is not something rnnlab runs", name);
}

/* load_dataset('stanfordnlp/imdb', split=['train', 'test']) */
static int stmt_load_dataset(app_state *s, const char *stmt, const rnn_call *c, rnn_value *result, bool *has)
{
    rnn_value args = {0};
    rnn_value wrapped = {.type = RNN_VAL_CALL, .call = (rnn_call *)c};
    *has = false;
    int rc = eval_or_fail(s, "load_dataset", &wrapped, &args);
    if (rc) return rc;
    const rnn_value *name = rnn_call_arg(args.call, 0, "path"), *split = rnn_call_arg(args.call, -1, "split");
    if (!name || name->type != RNN_VAL_STRING || (strcmp(name->string, "imdb") && strcmp(name->string, "stanfordnlp/imdb"))) {
        rnn_value_free(&args);
        return py_skip(s, stmt, "rnnlab's data sets are imdb, sms and files (load csv, dir, lines)");
    }
    rc = app_exec_command(s, "load imdb shuffle=false");
    if (!rc) {
        if (split && split->type == RNN_VAL_LIST) {
            result->type = RNN_VAL_LIST;
            result->items = calloc((size_t)split->n_items + 1, sizeof *result->items);
            for (int i = 0; result->items && i < split->n_items; i++) {
                const rnn_value *it = &split->items[i];
                char what[48];
                snprintf(what, sizeof what, "dataset.%s", it->type == RNN_VAL_STRING && !strcmp(it->string, "test") ? "test" : "train");
                if (it->type != RNN_VAL_STRING || (strcmp(it->string, "train") && strcmp(it->string, "test"))) {
                    rc = py_fail(RNN_EUSAGE, "load_dataset", "split: rnnlab's IMDB has the splits 'train' and 'test'");
                    break;
                }
                py_obj_value(&result->items[result->n_items++], what);
            }
        } else if (split && split->type == RNN_VAL_STRING) {
            char what[48];
            snprintf(what, sizeof what, "dataset.%s", !strcmp(split->string, "test") ? "test" : "train");
            py_obj_value(result, what);
        } else
            py_obj_value(result, "datasetdict");
        *has = rc == RNN_OK;
    }
    rnn_value_free(&args);
    return rc;
}

/* dataset, info = tfds.load('imdb_reviews', with_info=True, as_supervised=True): skipped for a data
 * set rnnlab does not have. */
static int stmt_tfds_load(app_state *s, const char *stmt, const rnn_call *c, rnn_value *result, bool *has)
{
    rnn_value args = {0};
    rnn_value wrapped = {.type = RNN_VAL_CALL, .call = (rnn_call *)c};
    char why[400] = "";
    *has = false;
    int rc = eval_or_fail(s, "tfds.load", &wrapped, &args);
    if (rc) return rc;
    const rnn_value *name = rnn_call_arg(args.call, 0, "name");
    if (name && name->type == RNN_VAL_STRING && !py_tfds_known(name)) {
        rnn_value_free(&args);
        return py_skip(s, stmt, "rnnlab's copy of a TensorFlow data set is 'imdb_reviews'; other data: load sms, csv, dir, lines");
    }
    rc = py_tfds_load(s, args.call, result, why, sizeof why);
    rnn_value_free(&args);
    *has = rc == RNN_OK;
    return rc && why[0] ? py_fail(rc, "tfds.load", "%s", why) : rc;
}

/* raw_train_ds = keras.utils.text_dataset_from_directory('aclImdb/train', ...). */
static int stmt_text_dataset(app_state *s, const rnn_call *c, rnn_value *result, bool *has)
{
    rnn_value args = {0};
    rnn_value wrapped = {.type = RNN_VAL_CALL, .call = (rnn_call *)c};
    char why[400] = "";
    *has = false;
    int rc = eval_or_fail(s, "text_dataset_from_directory", &wrapped, &args);
    if (rc) return rc;
    rc = py_text_dataset_from_directory(s, args.call, result, why, sizeof why);
    rnn_value_free(&args);
    *has = rc == RNN_OK;
    return rc && why[0] ? py_fail(rc, "text_dataset_from_directory", "%s", why) : rc;
}

/* The word-vector sets tutorials download, by name: their dimension. */
static int known_vectors_dim(const char *text)
{
    static const struct { const char *name; int dim; } sets[] = {
        {"word2vec-google-news-300", 300}, {"GoogleNews-vectors-negative300", 300}, {"glove-wiki-gigaword-50", 50},
        {"glove-wiki-gigaword-100", 100}, {"glove-wiki-gigaword-200", 200}, {"glove-wiki-gigaword-300", 300},
        {"glove.6B.50d", 50}, {"glove.6B.100d", 100}, {"glove.6B.200d", 200}, {"glove.6B.300d", 300},
        {"fasttext-wiki-news-subwords-300", 300}, {"crawl-300d-2M", 300}, {"glove-twitter-100", 100}};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        if (strstr(text, sets[i].name)) return sets[i].dim;
    return 0;
}

/* A Keras object written alone (as a tutorial shows a layer's signature): checked as it would be
 * used, and described; a layer is built on a scratch model to check its arguments. */
static int show_object(app_state *s, const rnn_value *e)
{
    rnn_value v = {0};
    int rc = eval_or_fail(s, py_basename(e->call->name), e, &v);
    if (rc) return rc;
    char *text = malloc(CMD_MAX);
    const char *b = py_basename(v.call->name);
    rnn_error err = {0};
    if (!text || !py_value_text(&v, text, CMD_MAX)) rc = py_fail(RNN_EUSAGE, b, "a value rnnlab cannot pass to it");
    else if (is_layer_name(b) && strcmp(b, "Input") && strcmp(b, "InputLayer")) {
        rnn_model *m = rnn_model_new("scratch", s->seed);
        rnn_add_ctx ctx = {0};
        if (!m) rc = py_fail(RNN_EINTERNAL, b, "out of memory");
        else if (strcmp(b, "Embedding") && rnn_model_add(m, "Embedding(16, 4)", &ctx, &err)) rc = py_fail_err(b, &err);
        else if (rnn_model_add(m, text, &ctx, &err)) rc = py_fail_err(b, &err);
        else {
            rnn_layer *l = rnn_model_layer(m, rnn_model_n_layers(m) - 1);
            app_printf("%s: a %s layer (%zu params after a 4-wide input), not in the model: model.add(...) adds it\n",
                       text, l->kind->name, l->n_params);
        }
        if (m) rnn_model_free(m);
    } else if (py_name_in(b, callback_names)) {
        rnn_callback cb;
        if (rnn_callback_parse(text, &cb, &err)) rc = py_fail_err(b, &err);
        else app_printf("%s: a callback, for model.fit(..., callbacks=[...])\n", text);
    } else
        app_printf("%s\n", text);
    free(text);
    rnn_value_free(&v);
    return rc;
}

/* ((x_train, y_train), (x_test, y_test)) of the loaded data set, as load_data returns them. */
static bool data_pairs(rnn_value *out)
{
    static const char *const what[2][2] = {{"data.train.ids", "data.train.labels"}, {"data.test.ids", "data.test.labels"}};
    memset(out, 0, sizeof *out);
    out->type = RNN_VAL_LIST;
    out->is_tuple = true;
    if (!(out->items = calloc(2, sizeof *out->items))) return false;
    out->n_items = 2;
    for (int i = 0; i < 2; i++) {
        rnn_value *pair = &out->items[i];
        pair->type = RNN_VAL_LIST;
        pair->is_tuple = true;
        if (!(pair->items = calloc(2, sizeof *pair->items))) return false;
        pair->n_items = 2;
        for (int j = 0; j < 2; j++)
            if (!py_obj_value(&pair->items[j], what[i][j])) return false;
    }
    return true;
}

/* The first `what` in p outside brackets and quotes (a tuple's ',', a for header's " in ", the ':'
 * ending it, which a comment may follow), or NULL. */
static const char *top_level_find(const char *p, const char *what)
{
    int depth = 0;
    char quote = 0;
    size_t n = strlen(what);
    for (; *p; p++) {
        if (quote) { if (*p == '\\' && p[1]) p++; else if (*p == quote) quote = 0; continue; }
        if (*p == '\'' || *p == '"') quote = *p;
        else if (strchr("([{", *p)) depth++;
        else if (strchr(")]}", *p)) depth--;
        else if (!depth && !strncmp(p, what, n)) return p;
    }
    return NULL;
}

/* An expression that may be a tuple without brackets: "a, b" reads as "(a, b)". */
static int expr_parse_tuple(const char *text, rnn_value *out, rnn_error *err)
{
    if (!top_level_find(text, ",")) return rnn_expr_parse(text, out, err);
    size_t n = strlen(text);
    char *wrapped = malloc(n + 4);
    if (!wrapped) return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    snprintf(wrapped, n + 4, "(%s,)", text);
    /* "(a, b,)" is the tuple (a, b); a trailing comma in text makes ",,": drop ours */
    size_t e = strlen(wrapped) - 2;
    while (e > 0 && (wrapped[e - 1] == ' ' || wrapped[e - 1] == '\t')) e--;
    if (e > 0 && wrapped[e - 1] == ',') memmove(wrapped + e, wrapped + e + 1, strlen(wrapped + e + 1) + 1);
    int rc = rnn_expr_parse(wrapped, out, err);
    free(wrapped);
    return rc;
}

/* The right-hand side of an assignment, or an expression statement (lhs NULL). */
static int stmt_value_of(app_state *s, const char *stmt, const char *lhs, const rnn_value *e);

/* A value at the prompt (not in a script, not in a def's body) shows as Python's REPL shows it: repr
 * of a number, string, list or dict; nothing for None. False when it is not such a value. */
static bool echo_shown(app_state *s, const rnn_value *v)
{
    py_session *ps = py_session_get(s);
    if (!ps->at_prompt || ps->file[0] || ps->call_depth) return false;
    bool shows = v->type != RNN_VAL_NONE && v->type != RNN_VAL_IDENT && v->type != RNN_VAL_CALL;
    char *text = shows ? py_value_text_alloc(v, ECHO_MAX) : NULL, *escaped = NULL;
    bool shown = v->type == RNN_VAL_NONE;
    if (text) {
        /* as repr: a control character the text holds is written \xNN (4 bytes at most for 1) */
        size_t len = strlen(text);
        if ((escaped = malloc(len * 4 + 1))) {
            rnn_escape_text(text, len, len, false, escaped, len * 4 + 1);
            app_printf("%s\n", escaped);
            shown = true;
        }
    }
    free(text);
    free(escaped);
    return shown;
}

/* A bare expression typed at the prompt shows its value (echo_shown). False when it is not such a
 * value (the statement is then skipped, saying so). */
static bool echo_value(app_state *s, const rnn_value *e)
{
    py_session *ps = py_session_get(s);
    if (!ps->at_prompt || ps->file[0] || ps->call_depth) return false;
    rnn_value v = {0};
    char why[300];
    bool shown = py_eval(s, e, &v, why, sizeof why) == RNN_OK && echo_shown(s, &v);
    rnn_value_free(&v);
    return shown;
}

/* stmt_value_of, a model.predict(...) inside the expression run first (y_pred = (model.predict(x_test) > 0.5).astype('int32')). */
static int stmt_value(app_state *s, const char *stmt, const char *lhs, const rnn_value *e)
{
    if (!has_inner_predict(s, e, true)) return stmt_value_of(s, stmt, lhs, e);
    rnn_value copy;
    if (!rnn_value_copy(&copy, e)) return py_fail(RNN_EINTERNAL, "model.predict", "out of memory");
    int rc = run_inner_predicts(s, &copy);
    if (!rc) rc = stmt_value_of(s, stmt, lhs, &copy);
    rnn_value_free(&copy);
    return rc;
}

static int stmt_value_of(app_state *s, const char *stmt, const char *lhs, const rnn_value *e)
{
    rnn_value result = {0}, target = {0};
    rnn_error err = {0};
    bool has = false;
    int rc = RNN_OK;
    if (lhs && expr_parse_tuple(lhs, &target, &err) != RNN_OK) {
        rc = py_skip(s, stmt, "rnnlab binds names and tuples of names");
        goto done;
    }
    if (e->type == RNN_VAL_CALL) {
        const rnn_call *c = e->call;
        const char *b = py_basename(c->name);
        if (!strcmp(b, "Sequential")) {
            has = !(rc = build_sequential(s, c, &result));
        } else if (is_functional_model_call(c->name)) {
            has = !(rc = build_functional(s, c, &result));
        } else if (is_load_model_call(c->name)) {
            if (!(rc = stmt_load_model(s, c))) has = py_obj_value(&result, "model");
        } else if (!strcmp(b, "load_data") && strstr(c->name, "imdb")) {
            if (!(rc = stmt_imdb(s, c)) && !(has = data_pairs(&result)))
                rc = py_fail(RNN_EINTERNAL, "imdb.load_data", "out of memory");
        } else if (lhs && (!strcmp(b, "Input") || !strcmp(b, "InputLayer"))) {
            /* inputs = keras.Input(shape=(maxlen,)): the first tensor of a functional model */
            rnn_value in = {0};
            if (!(rc = eval_or_fail(s, b, e, &in)) && !(has = py_obj_call(&result, "tensor", &in, 1)))
                rc = py_fail(RNN_EINTERNAL, b, "out of memory");
            rnn_value_free(&in);
        } else if (!strcmp(b, "read_csv") && (!strncmp(c->name, "pd.", 3) || !strncmp(c->name, "pandas.", 7))) {
            if (!(rc = py_read_csv(s, c, &result))) has = true;
        } else if (!strcmp(b, "train_test_split")) {
            if (!(rc = py_train_test_split(s, c, &result))) has = true;
        } else if (!strcmp(b, "load_dataset")) {
            rc = stmt_load_dataset(s, stmt, c, &result, &has);
        } else if (!strcmp(c->name, "tfds.load") || !strcmp(c->name, "tensorflow_datasets.load")) {
            rc = stmt_tfds_load(s, stmt, c, &result, &has);
            if (!has && !rc) goto done;
        } else if (!strcmp(b, "text_dataset_from_directory")) {
            rc = stmt_text_dataset(s, c, &result, &has);
            if (!has && !rc) goto done;
        } else if (!strcmp(b, "TextVectorization")) {
            rnn_value args = {0}, call = {0};
            char why[400] = "";
            if (!rnn_value_copy(&call, e)) rc = py_fail(RNN_EINTERNAL, "TextVectorization", "out of memory");
            else if ((rc = py_textvec_standardize_arg(s, &call, why, sizeof why)) ||
                     (!(rc = eval_or_fail(s, "TextVectorization", &call, &args)) &&
                      (rc = py_textvec_check(args.call, why, sizeof why))))
                rc = why[0] ? py_fail(rc, "TextVectorization", "%s", why) : rc;
            rnn_value_free(&call);
            if (!rc) { result = args; has = true; }
            else rnn_value_free(&args);
        } else if (!strcmp(b, "pad_sequences")) {
            if (!(rc = stmt_pad(s, c, &result))) has = true;
        } else if ((!strcmp(b, "load") && strstr(c->name, "KeyedVectors")) || !strcmp(c->name, "api.load") ||
                   !strcmp(c->name, "gensim.downloader.load")) {
            rnn_value v = {0};
            char why[300];
            int dim = 0;
            if (c->n_args >= 1 && py_eval(s, &c->args[0], &v, why, sizeof why) == RNN_OK) {
                const char *d = py_obj_is(&v, "vectors.");
                if (d) dim = atoi(d);
                else if (v.type == RNN_VAL_STRING) dim = known_vectors_dim(v.string);
            }
            rnn_value_free(&v);
            if (!dim) known_vectors_dim(stmt);
            char what[48];
            snprintf(what, sizeof what, "vectors.%d", dim);
            if (dim) {
                rc = py_skip(s, stmt, "the word vectors are not downloaded; `embeddings load FILE` loads a copy");
                has = py_obj_value(&result, what);
            } else
                rc = py_skip(s, stmt, "`embeddings load FILE` loads word vectors");
            if (!has && lhs) bind_skipped_text(s, lhs);
            if (!has) goto done;
            goto bind;
        } else if (!strcmp(c->name, "np.zeros") || !strcmp(c->name, "numpy.zeros")) {
            rnn_value v = {0};
            char why[300] = "np.zeros here makes a matrix for word vectors: a (rows, columns) shape";
            const rnn_value *shape = rnn_call_arg(c, 0, "shape");
            if (shape && py_eval(s, shape, &v, why, sizeof why) == RNN_OK && v.type == RNN_VAL_LIST && v.n_items == 2 &&
                is_number(&v.items[0]) && is_number(&v.items[1])) {
                char what[64];
                snprintf(what, sizeof what, "matrix.%.0f.%.0f", v.items[0].number, v.items[1].number);
                has = py_obj_value(&result, what);
            } else {
                rnn_value_free(&v);
                rc = py_skip(s, stmt, "%s", shape ? why : "np.zeros without a shape");
                if (lhs) bind_skipped_text(s, lhs);
                goto done;
            }
            rnn_value_free(&v);
        } else if (lhs && known_vectors_dim(stmt) && !is_keras_object(c)) {
            char what[48];
            snprintf(what, sizeof what, "vectors.%d", known_vectors_dim(stmt));
            rc = py_skip(s, stmt, "downloads word vectors; `embeddings load FILE` loads a copy");
            has = py_obj_value(&result, what);
            goto bind;
        } else if (!is_keras_object(c) && strcmp(b, "texts_to_sequences") && !py_is_value_call(c->name)) {
            rc = stmt_call(s, stmt, c, &result, &has);
            if (!rc && !lhs && has) echo_shown(s, &result);   /* 'a b'.split() at the prompt */
            if (rc || !lhs) goto done;
            if (!has) { bind_skipped_text(s, lhs); goto done; }
        }
    }
    if (!has && rc == RNN_OK) {
        if (!lhs) {
            /* an expression statement: a docstring or a value has no effect */
            if (e->type == RNN_VAL_STRING) goto done;
            if (e->type == RNN_VAL_CALL && is_keras_object(e->call)) {
                rc = show_object(s, e);
                goto done;
            }
            if (echo_value(s, e)) goto done;
            rc = py_skip(s, stmt, "an expression; print(...) shows a value");
            goto done;
        }
        char why[400];
        if (py_eval(s, e, &result, why, sizeof why) != RNN_OK) {
            rc = py_skip(s, stmt, "%s", why);
            bind_skipped_text(s, lhs);
            goto done;
        }
        has = true;
    }
bind:
    if (!rc && has && lhs) rc = bind_targets(s, &target, &result);
done:
    rnn_value_free(&result);
    rnn_value_free(&target);
    return rc;
}

/* Why a statement that does not parse is skipped: an f-string's own error says what in it rnnlab
 * does not read; anything else is Python rnnlab does not run. */
static const char *unparsed_reason(const rnn_error *err)
{
    if (strncmp(err->msg, "f-string:", 9) == 0) return err->msg;
    const char *esc = strstr(err->msg, "an invalid escape");   /* Python's SyntaxError too */
    return esc ? esc : "Python rnnlab does not run";
}

int py_exec(app_state *s, const char *stmt)
{
    const char *p = stmt;
    while (isspace((unsigned char)*p)) p++;
    if (!strncmp(p, "import ", 7) || (!strncmp(p, "from ", 5) && strstr(p, " import "))) return RNN_OK;
    if (!strcmp(p, "pass")) return RNN_OK;
    if (*p == '%' || *p == '!') return py_skip(s, p, "a notebook command");
    if (!strncmp(p, "del ", 4) || !strncmp(p, "assert ", 7) || !strncmp(p, "return", 6) || !strncmp(p, "global ", 7) ||
        !strncmp(p, "raise ", 6))
        return py_skip(s, p, "Python rnnlab does not run");
    stmt_parts parts;
    rnn_value e = {0};
    rnn_error err = {0};
    int rc;
    if (split_assignment(p, &parts)) {
        if (parts.op) {
            rc = py_skip(s, p, "augmented assignment is not something rnnlab runs");
            bind_skipped_text(s, parts.lhs);
        } else if (expr_parse_tuple(parts.rhs, &e, &err) != RNN_OK) {
            int cleaned = clean_texts(s, p);
            if (cleaned >= 0) rc = cleaned;
            else rc = py_skip(s, p, "%s", unparsed_reason(&err));
            bind_skipped_text(s, parts.lhs);
        } else {
            rc = stmt_value(s, p, parts.lhs, &e);   /* acc = history.history['acc'] binds its curve */
        }
        free(parts.lhs);
        free(parts.rhs);
    } else {
        free(parts.lhs);
        free(parts.rhs);
        if (rnn_expr_parse(p, &e, &err) != RNN_OK) {
            /* a docstring of several lines reads as strings side by side */
            rc = (*p == '"' || *p == '\'') && (!strncmp(p, "\"\"\"", 3) || !strncmp(p, "'''", 3)) ? RNN_OK
                 : py_skip(s, p, "%s", unparsed_reason(&err));
        } else
            rc = stmt_value(s, p, NULL, &e);
    }
    rnn_value_free(&e);
    return rc;
}

/* ---- blocks ---- */

/* Calls fn for each logical statement of a block's body, dedented, in order: stops at fn's first
 * error unless the session keeps going, and always at quit or an interrupt; returns the first error. */
int py_body_each(app_state *s, const char *body, int first_line, py_stmt_fn fn, void *user)
{
    py_session *ps = py_session_get(s);
    int saved_line = ps->line;
    /* the common indentation */
    int indent = -1;
    for (const char *l = body; *l;) {
        size_t n = strcspn(l, "\n");
        int w = 0;
        while (w < (int)n && (l[w] == ' ' || l[w] == '\t')) w++;
        if (w < (int)n && l[w] != '#' && (indent < 0 || w < indent)) indent = w;
        l += n + (l[n] == '\n');
    }
    py_reader r = {0};
    int rc = RNN_OK, line = first_line, result = RNN_OK;
    for (const char *l = body; *l && rc != APP_QUIT && rc != APP_INTERRUPTED;) {
        size_t n = strcspn(l, "\n");
        int w = 0;
        while (w < indent && w < (int)n && (l[w] == ' ' || l[w] == '\t')) w++;
        char *text = strndup(l + w, n - (size_t)w);
        if (!text) return py_fail(RNN_EINTERNAL, "block", "out of memory");
        py_feed f;
        while ((f = py_reader_feed(&r, text, (size_t)line)) != PY_FEED_MORE) {
            rc = fn(s, r.buf, r.first_line, user);
            py_reader_reset(&r);
            if (rc != RNN_OK && result == RNN_OK) result = rc;
            if ((rc != RNN_OK && !s->keep_going) || f == PY_FEED_DONE) break;
        }
        free(text);
        if (rc != RNN_OK && !s->keep_going) break;
        l += n + (l[n] == '\n');
        line++;
    }
    if (rc == RNN_OK && py_reader_finish(&r)) {
        rc = fn(s, r.buf, r.first_line, user);
        if (rc != RNN_OK && result == RNN_OK) result = rc;
    }
    py_reader_free(&r);
    ps->line = saved_line;
    return rc == APP_QUIT || rc == APP_INTERRUPTED ? rc : result;
}

static int run_logical(app_state *s, const char *stmt, int line, void *user)
{
    (void)user;
    return py_run_logical(s, stmt, line);
}

/* Body lines of a block, dedented, run as statements. */
static int run_block_body(app_state *s, const char *body, int first_line)
{
    return py_body_each(s, body, first_line, run_logical, NULL);
}

static int count_lines(const char *t)
{
    int n = 1;
    for (; *t; t++) n += *t == '\n';
    return n;
}

/* The parameter names of def NAME(a, b): when they are plain names; none otherwise (a default, *args,
 * an annotation: such a function is not called). */
static void func_param_names(py_func *f, const char *open)
{
    const char *close = open ? strchr(open, ')') : NULL;
    if (!close || !f->params) return;
    char **names = calloc((size_t)(close - open) / 2 + 1, sizeof *names);
    int n = 0;
    for (const char *p = open + 1; names && p < close;) {
        while (p < close && (*p == ' ' || *p == '\t')) p++;
        const char *a = p;
        while (p < close && (isalnum((unsigned char)*p) || *p == '_')) p++;
        const char *e = p;
        while (p < close && (*p == ' ' || *p == '\t')) p++;
        if (e == a || isdigit((unsigned char)*a) || (p < close && *p != ',') || !(names[n] = strndup(a, (size_t)(e - a)))) {
            for (int i = 0; i < n; i++) free(names[i]);
            free(names);
            return;
        }
        n++;
        if (p < close) p++;
    }
    f->names = names;
    f->n_names = names ? n : 0;
}

/* Skips a block whose body of n lines does not run: "WHY; its N lines are not run". */
static int skip_block(app_state *s, const char *header, int n, const char *why)
{
    return py_skip(s, header, "%s; its %d line%s not run", why, n, n == 1 ? " is" : "s are");
}

/* Whether a line of the body starts with break or continue, which run_for does not follow. */
static bool body_jumps(const char *body)
{
    for (const char *p = body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        while (*p == ' ' || *p == '\t') p++;
        for (const char *const *w = (const char *const[]){"break", "continue", NULL}; *w; w++) {
            size_t k = strlen(*w);
            if (!strncmp(p, *w, k) && !(isalnum((unsigned char)p[k]) || p[k] == '_')) return true;
        }
    }
    return false;
}

/* for TARGETS in EXPR: the body runs for each item of the list EXPR gives (range(n), a list, a
 * pipeline's .take(n)), the targets bound to it; its statements run or are skipped one by one. A
 * loop rnnlab cannot follow (break, continue, a value that is no list) is skipped whole. */
static int run_for(app_state *s, const char *h, const char *body, int line, int n_lines)
{
    const char *in = top_level_find(h, " in "), *colon = in ? top_level_find(in + 4, ":") : NULL;
    char why[400] = "";
    if (!in || !colon) return skip_block(s, h, n_lines, "a for block rnnlab does not read");
    if (body_jumps(body)) return skip_block(s, h, n_lines, "a loop with break or continue");
    char *targets = strndup(h + 4, (size_t)(in - h - 4)), *expr = strndup(in + 4, (size_t)(colon - in - 4));
    rnn_value target = {0}, e = {0}, items = {0};
    rnn_error err = {0};
    int rc = RNN_OK;
    if (!targets || !expr) rc = py_fail(RNN_EINTERNAL, "for", "out of memory");
    else if (expr_parse_tuple(targets, &target, &err) != RNN_OK || expr_parse_tuple(expr, &e, &err) != RNN_OK)
        rc = skip_block(s, h, n_lines, "a for block rnnlab does not read");
    else if (py_eval(s, &e, &items, why, sizeof why) != RNN_OK)
        rc = skip_block(s, h, n_lines, why);
    else if (items.type != RNN_VAL_LIST && items.type != RNN_VAL_DICT)
        rc = skip_block(s, h, n_lines, "a loop over a value rnnlab does not hold as a list");
    int step = items.type == RNN_VAL_DICT ? 2 : 1;   /* a dict's keys */
    for (int i = 0; !rc && i < items.n_items; i += step) {
        if (app_take_interrupt()) {
            app_printf("for: interrupted (Ctrl-C) after %d of %d passes\n", i / step, items.n_items / step);
            rc = APP_INTERRUPTED;
        } else if (!(rc = bind_targets(s, &target, &items.items[i]))) {
            rc = run_block_body(s, body, line + 1);
        }
    }
    free(targets);
    free(expr);
    rnn_value_free(&target);
    rnn_value_free(&e);
    rnn_value_free(&items);
    return rc;
}

enum { BLOCK_DEPTH_MAX = 20 };   /* Python's own: "too many statically nested blocks" */

static int run_block_at(app_state *s, const char *text, int line);

/* A block, unless blocks nest deeper than Python allows (each level would copy the rest of the text). */
static int run_block(app_state *s, const char *text, int line)
{
    py_session *ps = py_session_get(s);
    if (ps->block_depth >= BLOCK_DEPTH_MAX) {
        char header[160];
        snprintf(header, sizeof header, "%.*s", (int)strcspn(text, "\n"), text);
        char why[64];
        snprintf(why, sizeof why, "blocks nested more than %d deep (Python's limit)", BLOCK_DEPTH_MAX);
        return skip_block(s, header, count_lines(text) - 1, why);
    }
    ps->block_depth++;
    int rc = run_block_at(s, text, line);
    ps->block_depth--;
    return rc;
}

/* A block: def NAME(): keeps its body for NAME(); with ...: and if __name__ == '__main__': run
 * their body; for ... in ...: runs its body for each item (run_for); any other block is skipped
 * whole, in one line. */
static int run_block_at(app_state *s, const char *text, int line)
{
    py_session *ps = py_session_get(s);
    const char *nl = strchr(text, '\n');
    char *header = strndup(text, nl ? (size_t)(nl - text) : strlen(text));
    const char *body = nl ? nl + 1 : "";
    if (!header) return py_fail(RNN_EINTERNAL, "block", "out of memory");
    int rc = RNN_OK;
    char name[128];
    const char *h = header;
    while (*h == ' ' || *h == '\t') h++;
    if (sscanf(h, "def %127[A-Za-z0-9_](", name) == 1) {
        /* kept for NAME() (a function with parameters is only looked at, as a text cleaner) */
        py_func *f = realloc(ps->funcs, sizeof *f * (size_t)(ps->n_funcs + 1));
        if (!f) rc = py_fail(RNN_EINTERNAL, "def", "out of memory");
        else {
            ps->funcs = f;
            f[ps->n_funcs] = (py_func){.name = strdup(name), .body = strdup(body), .line = line + 1,
                                       .params = !strstr(h, "():")};
            func_param_names(&f[ps->n_funcs], strchr(h, '('));
            ps->n_funcs++;
        }
    } else if (!strncmp(h, "if __name__", 11) && strstr(h, "__main__")) {
        rc = run_block_body(s, body, line + 1);
    } else if (!strncmp(h, "with ", 5)) {
        rc = py_skip(s, h, "a context manager; its block runs");
        if (!rc) rc = run_block_body(s, body, line + 1);
    } else if (!strncmp(h, "for ", 4)) {
        rc = run_for(s, h, body, line, count_lines(text) - 1);
    } else {
        char kw[16] = "";
        sscanf(h, "%15[a-z]", kw);
        int n = count_lines(text) - 1;
        char why[32];
        snprintf(why, sizeof why, "a%s %s block", kw[0] == 'i' || kw[0] == 'e' ? "n" : "", kw);
        rc = skip_block(s, h, n, why);
        if (!rc) rc = load_named_data(s, text);
    }
    free(header);
    return rc;
}

int py_run_logical(app_state *s, const char *text, size_t line_no)
{
    py_session *ps = py_session_get(s);
    if (!ps) return py_fail(RNN_EINTERNAL, "rnnlab", "out of memory");
    ps->line = (int)line_no;
    const char *p = text;
    while (*p == ' ' || *p == '\t') p++;
    bool multi = strchr(text, '\n') != NULL;
    bool python = py_is_statement(p);
    if (python && multi) {
        /* a block, or a statement over several lines */
        py_reader r = {0};
        bool block = false;
        const char *nl = strchr(p, '\n');
        char *first = strndup(p, (size_t)(nl - p));
        if (first) {
            py_feed f = py_reader_feed(&r, first, line_no);
            block = f == PY_FEED_MORE && r.block;
            /* the first line alone opening a block (not brackets) */
        }
        free(first);
        py_reader_free(&r);
        if (block) return run_block(s, p, (int)line_no);
    }
    if (!multi) return app_exec(s, text);
    /* join the lines: comments dropped, newlines inside brackets become spaces; a triple-quoted
     * string keeps its text */
    size_t n = strlen(text);
    char *joined = malloc(n + 1);
    if (!joined) return py_fail(RNN_EINTERNAL, "rnnlab", "out of memory");
    size_t o = 0;
    char quote = 0;
    bool triple = false;
    for (const char *c = text; *c; c++) {
        if (triple) {
            if (*c == quote && c[1] == quote && c[2] == quote) { triple = false; memcpy(joined + o, c, 3); o += 3; c += 2; continue; }
            joined[o++] = *c == '\n' ? ' ' : *c;
            continue;
        }
        if (quote) {
            if (*c == '\\' && c[1]) { joined[o++] = *c++; joined[o++] = *c; continue; }
            if (*c == quote || *c == '\n') quote = 0;
            joined[o++] = *c == '\n' ? ' ' : *c;
            continue;
        }
        if (*c == '#') { while (c[1] && c[1] != '\n') c++; continue; }
        if (*c == '\\' && c[1] == '\n') { joined[o++] = ' '; c++; continue; }
        if (*c == '\'' || *c == '"') {
            if (c[1] == *c && c[2] == *c) { triple = true; quote = *c; memcpy(joined + o, c, 3); o += 3; c += 2; continue; }
            quote = *c;
        }
        joined[o++] = *c == '\n' ? ' ' : *c;
    }
    joined[o] = 0;
    int rc;
    const char *q = joined;
    while (*q == ' ') q++;
    if (!strncmp(q, "\"\"\"", 3) || !strncmp(q, "'''", 3)) rc = RNN_OK;   /* a docstring */
    else rc = app_exec(s, joined);
    free(joined);
    return rc;
}
