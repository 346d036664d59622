/* Keras tutorial statements: the Python names a script binds (pyvalue.c) and the statement
 * translator that runs Python statements as rnnlab's commands (pystmt.c). Private to src/app. */
#ifndef RNNLAB_APP_PYTHON_H
#define RNNLAB_APP_PYTHON_H
#include "app/app.h"

/* ---- pyvalue.c: names and their values ---- */
/* What a name holds is an rnn_value: a literal (numbers, strings, tuples, lists, dicts), a Keras
 * object written as its call (a layer, an optimizer, a loss, a callback, Tokenizer(...)), or one of
 * the session's objects, an IDENT spelt with a leading PY_OBJ byte that no Python name has:
 *   model                      the session's model
 *   data.SPLIT.WHAT            a part of the loaded data set; SPLIT train|test, WHAT texts|ids|labels
 *   dataset.SPLIT              a split of load_dataset() (columns 'text' and 'label')
 *   classes                    the data set's class names
 *   history                    the History of the last fit
 *   vectors.D                  pretrained word vectors of D dimensions (not loaded)
 *   matrix.R.C                 an R x C matrix of zeros meant to hold word vectors
 *   skipped.LINE               made by a statement rnnlab skipped (LINE: where), unusable
 *   tensor                     a functional model's tensor: a CALL named PY_OBJ "tensor" whose
 *                              positional arguments are the layers from the Input on */
#define PY_OBJ '\x01'
typedef struct py_binding { char *name; rnn_value v; } py_binding;
typedef struct py_func { char *name; char *body; int line; bool params; } py_func;   /* def NAME(...): its lines */
typedef struct py_reader py_reader;
typedef struct py_session {
    py_binding *names; int n_names;
    py_func *funcs; int n_funcs;
    bool said_word_ids;          /* imdb.load_data's note, said once */
    bool strict;                 /* --strict: a skipped statement is an error */
    char file[256]; int line;    /* where the running statement starts ("" at the prompt) */
    py_reader *typed;            /* the lines typed at the prompt so far (app_exec_typed) */
    size_t typed_lines;
} py_session;

py_session *py_session_get(app_state *s);
void py_session_free(app_state *s);
/* The value bound to name, or NULL. */
const rnn_value *py_lookup(py_session *ps, const char *name);
/* Binds a copy of v to name (replacing a previous value); false when out of memory. */
bool py_bind(py_session *ps, const char *name, const rnn_value *v);
/* The session object `what` (see above) as a value to bind. */
bool py_obj_value(rnn_value *out, const char *what);
/* If v is a session object whose spelling starts with prefix, the rest of it; else NULL. */
const char *py_obj_is(const rnn_value *v, const char *prefix);

/* Evaluation of an expression parsed by rnn_expr_parse: names replaced by their values,
 * arithmetic on numbers, subscripts of tuples, lists, dicts and the data set, len(), str(),
 * int(), float(), .shape of padded data. Calls keep their names (calls are for the statement
 * translator to understand); their arguments are evaluated. Returns RNN_OK, or RNN_EUSAGE with
 * *why saying what could not be evaluated (an unknown name, an unsupported operation). */
int py_eval(app_state *s, const rnn_value *expr, rnn_value *out, char *why, size_t n);
/* Writes v as Keras call text ("Dense(1, activation='sigmoid')", "[0.5, 'a']"); false when it
 * does not fit in n bytes or holds what has no text (a session object). */
bool py_value_text(const rnn_value *v, char *buf, size_t n);
/* The last dotted part of a name: "tf.keras.layers.LSTM" -> "LSTM". */
const char *py_basename(const char *name);

/* ---- pystmt.c: statements ---- */
/* "WHAT: message" on stderr (WHAT: the statement's method, e.g. model.fit); returns code. */
int py_fail(int code, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int py_fail_err(const char *what, const rnn_error *err);
/* `help keras`: the statements and the .py script rules (also in rnnlab-script(5)). */
extern const char py_help_text[];
/* Whether a command line is a Python statement rather than an rnnlab command. */
bool py_is_statement(const char *cmd);
/* Runs one Python statement (a logical line: continuation lines joined). */
int py_exec(app_state *s, const char *stmt);

/* Physical lines into logical statements: a statement whose brackets are not closed, that ends in
 * '\', is inside a triple-quoted string, or is a Python block (a line ending in ':' and the lines
 * indented under it) goes on over the next lines. */
struct py_reader {
    char *buf; size_t len, cap;
    size_t first_line;           /* physical line where the statement starts */
    int depth; char quote; bool triple, backslash;
    bool block; int block_indent;
    bool interactive;            /* a block ends at an empty line (the prompt) */
};
typedef enum py_feed { PY_FEED_MORE, PY_FEED_DONE, PY_FEED_DONE_PUSHBACK } py_feed;
/* Feeds physical line number `line_no`. DONE: buf holds a complete statement. DONE_PUSHBACK: buf
 * holds a complete block that this line is not part of; feed the line again after running buf. */
py_feed py_reader_feed(py_reader *r, const char *line, size_t line_no);
/* At the end of input: whether buf holds a statement to run (an unfinished block ends here). */
bool py_reader_finish(py_reader *r);
void py_reader_reset(py_reader *r);
void py_reader_free(py_reader *r);
/* Runs what the reader holds: a block (several lines) or one statement line through app_exec. */
int py_run_logical(app_state *s, const char *text, size_t line_no);

/* From state.c: runs one command (already split from its line) as app_exec does, recording it for
 * `session save`. */
int app_exec_command(app_state *s, const char *cmd);
/* From cmd_io.c: the whole pipeline saved to path, atomically (save FILE, ModelCheckpoint). */
int app_pipeline_save(app_state *s, const char *path, rnn_error *err);
/* The "FILE:LINE: " prefix of errors, set while scripts run ("" at the prompt). */
void app_set_where(const char *file, size_t line);

#endif
