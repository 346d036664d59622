/* The session state and the command interpreter shared by the plain REPL, scripts and the dashboard.
 * The dashboard (src/tui) uses only what is declared here. */
#ifndef RNNLAB_APP_H
#define RNNLAB_APP_H
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include "rnnlab/rnnlab.h"

#define APP_QUIT (-1)   /* app_exec result of `quit` */
/* app_exec result when the user stopped a command (Ctrl-C, the dashboard's q): the rest of the line
 * and of the script is not run, whatever keep_going says; a script then ends with status 130. */
#define APP_INTERRUPTED (-2)

typedef struct app_run {
    char name[64];
    rnn_history hist;
    double test_accuracy;        /* NAN until evaluated */
} app_run;

/* What changed, for panels to refresh (bit mask passed to app_hooks.changed). */
enum { APP_CHANGED_DATA = 1, APP_CHANGED_VOCAB = 2, APP_CHANGED_MODEL = 4, APP_CHANGED_RUNS = 8 };

typedef struct app_state {
    rnn_dataset *ds;
    rnn_tokenizer *tok;
    rnn_seqs seq_train, seq_test;     /* encoded by `tokenize` */
    rnn_imatrix x_train, x_test;      /* padded by `pad` */
    rnn_prep prep;                    /* `pad`'s settings (or open's), for every text the model sees */
    rnn_fmatrix pretrained;           /* `embeddings load` or `embeddings train` */
    rnn_wordvec *wordvec;             /* `embeddings train`: words and n-grams, for save and near */
    rnn_ngrams *ngrams;               /* `tokenize ngrams=N`: word n-gram ids after each text's word ids */
    rnn_model *model;
    app_run *runs; int n_runs;
    rnn_eval last_eval; char last_eval_split[16];
    unsigned long seed; int threads;
    bool plain;                       /* no dashboard; Keras-style progress lines */
    bool tty;                         /* stdout is a terminal (bars may update in place) */
    bool keep_going;
    atomic_int stop;                  /* set by SIGINT or the UI thread (`q`): stop training after the batch */
    char **session; int n_session;    /* successful commands, for `session save` */
    size_t truncated_train, truncated_test;   /* sequences cut by the last `pad` */
    double gradcheck_error;           /* largest relative error of the last `gradcheck`, NAN before */
    bool in_fit;                      /* a `fit` is running (SIGINT stops it instead of quitting) */
    char **saved_classes; int n_saved_classes;   /* class names from `open` when no data set is loaded */
    unsigned long start_seed;         /* seed when the session began (first line of `session save`) */
    /* The names Keras statements bind, their functions, where a script's statement starts
     * (src/app/pyvalue.c); NULL until the first Python statement. */
    struct py_session *py;
    /* The ranks sharing fit, evaluate and predict (an mpirun); NULL: this process alone. */
    const rnn_comm *comm;
    /* The last split's predictions (`predict split=`, `report`), which the report and confusion
     * matrix after a Keras script's y_pred = model.predict(x_test) read again: reused while the
     * model's layers and weights and the split's ids are unchanged (src/app/cmd_model.c), dropped
     * by any command that changes the model (compile included). */
    struct app_pred_cache *pred_cache;
} app_state;

/* What a front end other than the plain prompt (the dashboard) watches. Every member may be NULL;
 * the functions are called from the thread running the command. */
typedef struct app_hooks {
    void (*progress)(const rnn_fit_progress *p, void *ud);      /* every batch and epoch end of fit */
    void (*changed)(const app_state *s, unsigned what, void *ud); /* a command changed APP_CHANGED_* */
    /* `compare` showed runs[0..n) (indices into s->runs, in the order given) */
    void (*compared)(const app_state *s, const int *runs, int n, void *ud);
    int (*output_columns)(void *ud);   /* columns the output is shown in (`plot` fits them); 0 when unknown */
    void *ud;
} app_hooks;
/* Installs the hooks (copied); NULL removes them. */
void app_set_hooks(const app_hooks *h);

void app_init(app_state *s);
void app_free(app_state *s);
/* Runs one line (may hold several ';'-separated commands and a comment). Returns RNN_OK,
 * an rnn_status error (already reported through app_error), or APP_QUIT. */
int app_exec(app_state *s, const char *line);
/* Runs a line typed at a prompt: a statement whose brackets are still open (or a Python block)
 * waits for the next lines, as Python's prompt does; app_prompt_continues then says so (the
 * prompt shows "...> "). Returns as app_exec. */
int app_exec_typed(app_state *s, const char *line);
bool app_prompt_continues(const app_state *s);
/* Ctrl-C at the prompt: forgets the lines of an unfinished statement. */
void app_prompt_cancel(app_state *s);
/* Runs a script file line by line (stops at the first error unless keep_going). */
int app_exec_file(app_state *s, const char *path);

/* All command output goes through these; the dashboard redirects them into its log panel. */
typedef void (*app_sink_fn)(const char *text, size_t len, bool is_error, void *ud);
void app_set_sink(app_sink_fn fn, void *ud);   /* NULL = stdout/stderr */
void app_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void app_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The readline history file, $XDG_STATE_HOME/rnnlab/history (folders created); -1 without a
 * home. Shared by the plain REPL and the dashboard's prompt. */
int app_history_path(char *buf, size_t n);
/* Reads the history file into readline's history when it is a regular file (a FIFO would block). */
void app_history_load(const char *path);
/* Writes the last APP_HISTORY_LINES lines of readline's history to path through rnn_outfile (a
 * crash or a full disk keeps the old file; a path that is not a regular file is left alone). */
#define APP_HISTORY_LINES 2000
void app_history_save(const char *path);

/* Nearest words as `embeddings near WORD` lists them (the dashboard's vocabulary panel asks too). */
typedef struct app_near {
    const char *source;   /* the matrix read: the Embedding layer's name, or "the word vectors" */
    bool by_ngrams;       /* the word has no row: its vector is the mean of its character n-grams */
    size_t n;             /* neighbours found, at most k */
} app_near;
/* The k words nearest `word` by cosine similarity in the model's Embedding (learned by fit, or
 * filled from vectors) when the model has one, else in the loaded or trained vectors: token ids in
 * ids[0..out->n) and similarities in sims, best first, the word itself left out. Only reads s: call
 * it while s holds still (no command running, or on fit's thread between two batches). Errors: no
 * tokenizer, no embedding, a word without a row, a vector of zeros; out->source stays valid only
 * until the model changes. */
int app_embedding_near(const app_state *s, const char *word, size_t k, int32_t *ids, float *sims,
                       app_near *out, rnn_error *err);

/* The one command table: dispatch, help, completion and the man page's command list. The
 * dispatcher parses a command's words into app_args (internal.h) from its args text (the valid
 * keys) and max_pos, then calls its handler; errors name the command from the table. */
typedef struct app_command app_command;
typedef struct app_args app_args;
typedef int app_handler(app_state *s, const app_command *c, const app_args *a);
enum {
    APP_ARGS_ANY = -1,     /* max_pos: any number of positional words (a TEXT of several words) */
    APP_ARGS_WORDS = -2,   /* max_pos: the words as typed, unparsed (`time` runs them as a command) */
};
struct app_command {
    const char *name, *args, *summary, *usage;
    app_handler *handler;
    int max_pos;           /* positional words it takes at most, or APP_ARGS_ANY / APP_ARGS_WORDS */
    char **(*complete)(const char *text, int arg_index);   /* may be NULL */
    const char *example;   /* lines that run as written in a new session; the last uses the command */
};
const app_command *app_commands(size_t *n);
/* readline completion generator usable by the plain REPL and the dashboard. */
char **app_complete(const char *line_buffer, const char *text, int start, int end);

#endif
