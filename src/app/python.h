/* Keras tutorial statements: the Python names a script binds (pyvalue.c) and the statement
 * translator that runs Python statements as rnnlab's commands (pystmt.c). Private to src/app. */
#ifndef RNNLAB_APP_PYTHON_H
#define RNNLAB_APP_PYTHON_H
#include "app/app.h"

/* ---- pyvalue.c: names and their values ---- */
/* Whether a call of this name is computed from its arguments alone (len, range, os.path.join, ...). */
bool py_is_value_call(const char *name);
/* [] of a list or tuple: an index (negative from the end) or a slice [lo:hi]. */
int py_list_subscript(const rnn_value *t, const rnn_value *idx, rnn_value *out, char *why, size_t n);
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
 *   skipped.WHERE              made by a statement rnnlab skipped ("at line N", or "earlier" at the
 *                              prompt and in -c), unusable
 *   tensor                     a functional model's tensor: a CALL named PY_OBJ "tensor" whose
 *                              positional arguments are the layers from the Input on */
#define PY_OBJ '\x01'
typedef struct py_binding { char *name; rnn_value v; } py_binding;
/* def NAME(...): its lines; params whether it takes any, names[n_names] their names when they are
 * plain names (no defaults, no *args), which a call binds while the body runs. */
typedef struct py_func { char *name; char *body; int line; bool params; char **names; int n_names; } py_func;
typedef struct py_reader py_reader;
/* The DataFrame of pd.read_csv: its file and its columns by the names the script gives them; the
 * session objects frame (the DataFrame), frame.N (the file's column N) and frame.N.codes (its labels
 * numbered, as .map({...}) and LabelEncoder make them). */
typedef struct py_frame_col { char *name; int index; bool codes; } py_frame_col;
typedef struct py_frame {
    char *path;                  /* the file ("" : rnnlab's copy of the SMS Spam Collection); NULL: none */
    bool sms;                    /* the SMS Spam Collection, loaded by load sms */
    char delimiter;              /* sep= (0: by the file name) */
    py_frame_col *cols; int n_cols;   /* later names (df.columns = ..., df['y'] = ...) after earlier */
    int text_index, label_index; /* the file's columns of texts and labels, -1 until chosen */
    int label_guess;             /* the column read last beside the texts, -1 */
    bool loaded;                 /* load ran on it */
    bool split;                  /* by train_test_split */
} py_frame;
typedef struct py_session {
    py_binding *names; int n_names;
    py_func *funcs; int n_funcs;
    bool said_word_ids;          /* imdb.load_data's note, said once */
    bool strict;                 /* --strict: a skipped statement is an error */
    bool at_prompt;              /* the statement was typed at the prompt: a bare expression shows its value */
    int call_depth;              /* calls of defs running (their bodies' expressions show nothing) */
    int block_depth;             /* blocks whose bodies are running (with, for, if __name__ ...) */
    char file[256]; int line;    /* where the running statement starts ("" at the prompt) */
    py_reader *typed;            /* the lines typed at the prompt so far (app_exec_typed) */
    size_t typed_lines;
    py_frame frame;
    const void *dir_ds;          /* the data set text_dataset_from_directory loaded, in dir_order */
    char dir_order[32];          /* its load options: "seed=N" or "shuffle=false" */
    char dir_train[4096], dir_test[4096]; /* folders of one's own it loaded as train and test ("": none) */
} py_session;

py_session *py_session_get(app_state *s);
void py_session_free(app_state *s);
/* The value bound to name, or NULL. */
const rnn_value *py_lookup(py_session *ps, const char *name);
/* Binds a copy of v to name (replacing a previous value); false when out of memory. */
bool py_bind(py_session *ps, const char *name, const rnn_value *v);
/* Removes name's binding (nothing when it has none). */
void py_unbind(py_session *ps, const char *name);
/* The session object `what` (see above) as a value to bind. */
bool py_obj_value(rnn_value *out, const char *what);
/* The session object written as the call PY_OBJ name(args[0..n)) (a tensor, texts, an array), the
 * args moved into it (left empty); false when out of memory (the args are freed). */
bool py_obj_call(rnn_value *out, const char *name, rnn_value *args, int n);
/* If v is a session object whose spelling starts with prefix, the rest of it; else NULL. */
const char *py_obj_is(const rnn_value *v, const char *prefix);
/* Whether name is bound to the session's model (or is `model` itself, unbound, with a model built). */
bool py_names_model(app_state *s, const char *name);
/* model.count_params(): *out = the session's model's parameter count (s->model must be set), as
 * Keras's (summary's Total params). */
void py_count_params(app_state *s, rnn_value *out);

/* Evaluation of an expression parsed by rnn_expr_parse: names replaced by their values,
 * arithmetic on numbers, subscripts of tuples, lists, dicts and the data set, len(), str(),
 * int(), float(), .shape of padded data. Calls keep their names (calls are for the statement
 * translator to understand); their arguments are evaluated. Returns RNN_OK, or RNN_EUSAGE with
 * *why saying what could not be evaluated (an unknown name, an unsupported operation). */
int py_eval(app_state *s, const rnn_value *expr, rnn_value *out, char *why, size_t n);
/* When the first part of a dotted name is bound to what a skipped statement made: RNN_EUSAGE with
 * "uses NAME, made by the statement skipped ..." in why (so that a method called on it is not named
 * as the reason); else RNN_OK. */
int py_skipped_receiver(app_state *s, const char *name, char *why, size_t n);
/* Writes v as Keras call text ("Dense(1, activation='sigmoid')", "[0.5, 'a']"); false when it
 * does not fit in n bytes or holds what has no text (a session object). */
bool py_value_text(const rnn_value *v, char *buf, size_t n);
/* py_value_text into a buffer of the size it needs, malloc'd; NULL when the text and its NUL take
 * more than max bytes (or out of memory). */
char *py_value_text_alloc(const rnn_value *v, size_t max);
/* The last dotted part of a name: "tf.keras.layers.LSTM" -> "LSTM". */
const char *py_basename(const char *name);

/* ---- pyframe.c: pd.read_csv, its columns, train_test_split ---- */
/* df = pd.read_csv(FILE, ...): reads the header (the SMS Spam Collection's names load rnnlab's copy
 * when the file is not there); *out: frame. */
int py_read_csv(app_state *s, const rnn_call *c, rnn_value *out);
void py_frame_free(py_frame *f);
/* df['review'], df.review: the column (frame.N); RNN_EUSAGE with *why naming the columns. */
int py_frame_column(app_state *s, const char *name, rnn_value *out, char *why, size_t n);
/* A method of the DataFrame or a column (map, to_numpy, drop(columns=...)); *handled false when v
 * is neither. */
int py_frame_method(app_state *s, const rnn_value *v, const char *method, const rnn_call *args, rnn_value *out,
                    bool *handled, char *why, size_t n);
/* LabelEncoder().fit_transform(col): frame.N.codes. */
int py_frame_encode(const rnn_value *col, rnn_value *out, char *why, size_t n);
/* df['label'] = COLUMN; df.columns = ['label', 'text']. */
int py_frame_assign(app_state *s, const char *name, const rnn_value *v);
int py_frame_rename(app_state *s, const rnn_value *names);
/* A column used as data (fit_on_texts, texts_to_sequences, fit): the file loaded whole (once), and
 * the data object of its texts or labels. */
int py_frame_data(app_state *s, const rnn_value *v, rnn_value *out, char *why, size_t n);
/* X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42): load
 * with test_split and seed; *out the tuple of the four parts. */
int py_train_test_split(app_state *s, const rnn_call *c, rnn_value *out);

/* ---- pytfdata.c: tfds.load, tf.data pipelines, TextVectorization ---- */
/* A tf.data pipeline over a split of the IMDB reviews, the session object
 * tfdata.SPLIT.BATCH.SHUFFLED.PART: BATCH 0 until .batch(N); PART what an element holds:
 * (text, label) pairs (as_supervised=True), {'text', 'label'} dicts, or what .map kept of them.
 * tfds.load's dict of splits is tfdsdict.pairs (or .dicts), its info tfdsinfo. */
typedef enum py_tfdata_part { PY_TFDATA_PAIRS, PY_TFDATA_DICTS, PY_TFDATA_TEXTS, PY_TFDATA_LABELS } py_tfdata_part;
typedef enum { PY_TFDATA_ALL, PY_TFDATA_TRAINING, PY_TFDATA_VALIDATION } py_tfdata_subset;
typedef struct py_tfdata {
    char split[8];               /* train, test */
    long batch;
    bool shuffled;
    py_tfdata_part part;
    py_tfdata_subset subset;     /* text_dataset_from_directory(validation_split=F, subset=...) */
    double vsplit;               /* F with a subset */
} py_tfdata;
bool py_tfdata_get(const rnn_value *v, py_tfdata *d);

/* ---- pystr.c: Python's str methods (join, split, strip, lstrip, rstrip, replace, startswith,
 * endswith) of a text; *handled false for any other value or method. ---- */
int py_str_method(const rnn_value *v, const char *method, const rnn_call *args, rnn_value *out, bool *handled,
                  char *why, size_t n);

/* ---- pyarray.c: what a loop over ds.take(N) gives (see pyarray.c) ---- */
/* "eager", "ndarray" or "bytes" when v is such a value (*payload its texts or numbers), else NULL. */
const char *py_array_kind(const rnn_value *v, const rnn_value **payload);
/* KIND(payload[, dtype]) in out, the payload moved into it; false when out of memory. */
bool py_array_value(rnn_value *out, const char *kind, rnn_value *payload, const char *dtype);
int py_array_subscript(const rnn_value *t, const rnn_value *idx, rnn_value *out, char *why, size_t n);
int py_array_method(const rnn_value *v, const char *method, const rnn_call *args, rnn_value *out, bool *handled,
                    char *why, size_t n);
/* str() of such a value, as TensorFlow and numpy print it (malloc'd; NULL when out of memory). */
char *py_array_text(const rnn_value *v);
/* The validation_split of fit and tokenize (the last n - floor(n (1 - F)) of n texts validate) that
 * leaves a subset's validation texts as Keras's directory listing does: the last int(d->vsplit n). */
double py_tfdata_fit_split(const app_state *s, const py_tfdata *d);
bool py_tfdata_value(rnn_value *out, const py_tfdata *d);
/* Whether name is a TensorFlow data set rnnlab has: 'imdb_reviews' (its plain text). */
bool py_tfds_known(const rnn_value *name);
/* tfds.load('imdb_reviews', ...): load imdb; *out the splits (see py_tfds_load in pytfdata.c). */
int py_tfds_load(app_state *s, const rnn_call *c, rnn_value *out, char *why, size_t n);
/* keras.utils.text_dataset_from_directory(DIR, ...): IMDB's folders are load imdb, a folder of one's
 * own load dir DIR listing=keras, each in the order Keras's shuffle gives; *out the pipeline (a tuple
 * of two for subset='both'). See pytfdata.c. */
int py_text_dataset_from_directory(app_state *s, const rnn_call *c, rnn_value *out, char *why, size_t n);
/* dataset['train'] of tfds.load's dict of splits. */
int py_tfds_subscript(const rnn_value *dict, const rnn_value *idx, rnn_value *out, char *why, size_t n);
/* shuffle, batch, prefetch, cache, map(lambda ...) of a pipeline; *handled false for another value. */
int py_tfdata_method(app_state *s, const rnn_value *v, const char *method, const rnn_call *args, rnn_value *out, bool *handled,
                     char *why, size_t n);
/* Whether v is a TextVectorization(...) call, and whether the session's tokenizer is one adapted. */
bool py_is_textvec(const rnn_value *v);
bool py_textvec_adapted(const app_state *s);
/* TextVectorization(...)'s arguments: RNN_OK, or RNN_EUSAGE with why. */
int py_textvec_check(const rnn_call *c, char *why, size_t n);
/* standardize=NAME of a def in TextVectorization(...) as written: replaced by its compiled steps. */
int py_textvec_standardize_arg(app_state *s, rnn_value *call, char *why, size_t n);
/* encoder.adapt(data): tokenize style=textvectorization and pad as the layer's output. */
int py_textvec_adapt(app_state *s, const rnn_value *tv, const rnn_value *data, bool fit_on_train, char *why, size_t n);
/* get_vocabulary() and vocabulary_size() of the adapted layer; *handled false for another value. */
int py_textvec_method(app_state *s, const rnn_value *v, const char *method, const rnn_call *args, rnn_value *out,
                      bool *handled, char *why, size_t n);

/* ---- pystmt.c: statements ---- */
/* Whether name is one of list (NULL-terminated). */
bool py_name_in(const char *name, const char *const *list);
/* "FILE:LINE: note: ..." on standard output. */
void py_note(app_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "WHAT: message" on stderr (WHAT: the statement's method, e.g. model.fit); returns code. */
int py_fail(int code, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int py_fail_err(const char *what, const rnn_error *err);
/* `help keras`: the statements and the .py script rules (also in rnnlab-script(5)). */
extern const char py_help_text[];
/* Whether a command line is a Python statement rather than an rnnlab command. */
bool py_is_statement(const char *cmd);
/* A line that is only a name a statement bound (and no command's): a Python expression statement
 * (a notebook's `encoded_example`), not a command to look up. */
bool py_is_bound_name(app_state *s, const char *cmd);
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
/* The def NAME of the session, or NULL. */
const py_func *py_find_func(py_session *ps, const char *name);
/* Calls fn for each logical statement of a def's or a block's body, dedented, in order (see pystmt.c). */
typedef int (*py_stmt_fn)(app_state *s, const char *stmt, int line, void *user);
int py_body_each(app_state *s, const char *body, int first_line, py_stmt_fn fn, void *user);

/* From state.c: runs one command (already split from its line) as app_exec does, recording it for
 * `session save`. */
int app_exec_command(app_state *s, const char *cmd);
/* From cmd_io.c: the whole pipeline saved to path, atomically (save FILE, ModelCheckpoint). */
int app_pipeline_save(app_state *s, const char *path, rnn_error *err);
/* The "FILE:LINE: " prefix of errors, set while scripts run ("" at the prompt). */
void app_set_where(const char *file, size_t line);

/* The reason an expression cannot be evaluated, written into why[n]; returns RNN_EUSAGE. */
int py_eval_fail(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- pyformat.c: Python's text formatting ---- */
/* format(v, spec) after the conversion conv ("" or NULL, "r", "s", "a"), as an f-string's field and
 * str.format write it, into buf: RNN_OK, or RNN_EUSAGE with the reason in why (Python's errors: 'd'
 * of a float, a precision for an integer, a numeric spec for a string). */
int py_format_value(const rnn_value *v, const char *spec, const char *conv, char *buf, size_t n, char *why, size_t wn);
/* fmt % args, printf-style (args a tuple, or one value): a malloc'd string, or NULL with the reason
 * in why (too few or too many arguments, %d of a string, ...). */
char *py_percent_format(const char *fmt, const rnn_value *args, char *why, size_t wn);

/* A statement's number as a long: beyond a long's range, the nearest end of it (the limit checks
 * that follow then refuse it); NaN as 0. Converting such a double directly is undefined. */
static inline long py_long(double x)
{
    if (x != x) return 0;
    if (x >= 9.2e18) return 9200000000000000000L;
    if (x <= -9.2e18) return -9200000000000000000L;
    return (long)x;
}

#endif
