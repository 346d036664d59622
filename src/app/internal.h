/* Private helpers of the program: line parsing, argument access, shared printing. */
#ifndef RNNLAB_APP_INTERNAL_H
#define RNNLAB_APP_INTERNAL_H
#include "app/app.h"

/* ---- parse.c: the command line language ---- */
/* Splits a line into commands at ';' outside quotes and parentheses, dropping a '#' comment
 * (outside quotes) and empty commands. *cmds is a malloc'd array of malloc'd trimmed strings. */
/* Splits a line at ';' outside quotes and brackets, and at '#' and line ends. With python, a
 * backslash escapes the next character in '...' as well as in "..." (Python's strings). */
int parse_split(const char *line, bool python, char ***cmds, int *n, rnn_error *err);
/* Splits one command into words. Quotes are removed; parentheses group; after `add` the rest of
 * the command is one argument (a Keras call, kept intact). Each argv string carries a hidden flag
 * byte after its NUL saying whether it was written key=value (see parse_is_keyval). */
int parse_words(const char *cmd, int *argc, char ***argv, rnn_error *err);
bool parse_is_keyval(const char *arg);
void parse_free_words(int argc, char **argv);
void parse_free_strings(int n, char **v);

/* ---- args.c: a command's arguments, parsed once by the dispatcher ---- */
#define ARGS_MAX 64   /* key=value arguments of one command; positional words are not limited */
struct app_args {
    const app_command *cmd;               /* for messages */
    int npos; char **pos;                 /* positional arguments, in order (or the words as typed) */
    int nkv; const char *key[ARGS_MAX], *val[ARGS_MAX];
};
/* Splits argv[1..] into positional and key=value arguments, moving the positional words to the
 * front of argv (in order) so that a->pos can point to them. Keys must appear as `key=` in the
 * command's args text (the table is the one list of valid keys); an UPPER-case `KEY=` there (load
 * lines's CLASS=FILE) admits any key for the handler to check. An unknown key is an error listing
 * the valid ones; more than c->max_pos positionals is an error. With APP_ARGS_WORDS, pos holds
 * argv[1..] as typed. */
int args_parse(app_args *a, const app_command *c, int argc, char **argv);
const char *args_get(const app_args *a, const char *key);
int args_long(const app_args *a, const char *key, long dflt, long lo, long hi, long *out);
int args_double(const app_args *a, const char *key, double dflt, double lo, double hi, double *out);
int args_bool(const app_args *a, const char *key, bool dflt, bool *out);
/* One of a '|'-separated list of choices, e.g. "pre|post". */
int args_choice(const app_args *a, const char *key, const char *choices, const char *dflt, const char **out);
/* Positional arguments i.. joined with single spaces (malloc'd), NULL if there are none. */
char *args_join(const app_args *a, int from);
/* Parses a whole string as a number / boolean (Python spellings True/False accepted). */
bool str_to_long(const char *s, long *out);
bool str_to_double(const char *s, double *out);
bool str_to_bool(const char *s, bool *out);

/* Reports a library error (which names what is at fault, never the command) as "CMD: message",
 * CMD from the table; returns its code. */
int app_fail_err(const app_command *cmd, const rnn_error *err);
/* Reports "CMD: message" and returns code. */
int app_fail(int code, const app_command *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "1 epoch", "2 epochs": the noun that goes with the count n. */
static inline const char *app_noun(unsigned long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}
/* Spaces that pad s to cols terminal columns (0 when it is as wide or wider): aligns a table
 * column of words that may be wide (CJK) or hold combining marks, which %-20s counts in bytes. */
int app_pad_to(const char *s, int cols);
/* "[=====>....]"'s inside: w characters for done of total (all '=' when total is 0), into buf (w + 1 bytes). */
void app_bar(int done, int total, int w, char *buf);
/* Whether w is one of the space-separated words of list. */
bool app_word_in(const char *list, const char *w);

/* A relative path a command reads, as a script means it: the file in the running script's folder
 * when there is one, else NULL (use the path as given: the current folder). malloc'd. */
char *app_input_path(const char *path);

/* ---- commands.c ---- */
const app_command *app_command_find(const char *name);
/* Runs one already split command (argv[0] = name). */
int app_dispatch(app_state *s, int argc, char **argv);
/* `rnnlab --help-commands`: the command list as man(7) source, for man/rnnlab.1. */
void app_print_man_commands(void);
void app_print_command_list(void);
/* Why DIR cannot be the data set cache folder (empty, or an existing non-folder), or NULL. A
 * folder that does not exist yet is fine: it is created when a data set is downloaded. */
const char *app_data_dir_problem(const char *dir);
/* Nested `source` depth guard; app_source_overflow is set while the scripts unwind from a
 * nesting that went too deep, so that --keep-going does not run the rest of every level (a
 * script that sources itself on 3 lines would make 3^16 calls). */
extern int app_source_depth;
extern bool app_source_overflow;

/* ---- handlers (cmd_*.c), one per command of the table ---- */
/* Appends a step to a custom standardize spec "custom..." (the library's lines, rnn_tokenizer_opts):
 * "lower" or "strip_punctuation" (pattern NULL), or "regex_replace" with pattern and rewrite.
 * RNN_EUSAGE with *why for a tab or a line break in them, or past cap (spec then unchanged). */
int app_standardize_add(char *spec, size_t cap, const char *step, const char *pattern, const char *rewrite,
                        char *why, size_t n);
/* tokenize with these options (see cmd_data.c): fit, encode both splits, make it the session's. */
int app_tokenize_run(app_state *s, const app_command *c, const rnn_tokenizer_opts *o, rnn_ngram_opts ng, bool fit_all,
                     double vsplit);
app_handler cmd_load, cmd_datasets, cmd_stats, cmd_vocab, cmd_tokenize, cmd_encode, cmd_decode, cmd_pad, cmd_show,
    cmd_embeddings;
app_handler cmd_model, cmd_add, cmd_pop, cmd_summary, cmd_compile, cmd_fit, cmd_evaluate, cmd_report, cmd_predict,
    cmd_explain, cmd_history, cmd_plot, cmd_runs, cmd_compare, cmd_gradcheck, cmd_save, cmd_open, cmd_export;
app_handler cmd_set, cmd_status, cmd_help, cmd_session, cmd_source, cmd_expect, cmd_time, cmd_quit, cmd_sweep;

/* The names `expect` checks, in the order help lists them: the one list behind its usage text,
 * Tab completion and the lookup (cmd_session.c). X(NAME, TEXT AFTER IT IN THE USAGE, GETTER). */
#define APP_EXPECT_NAMES(X) \
    X("test.accuracy", ", ", expect_eval) X("test.loss", ", ", expect_eval) X("train.accuracy", ", ", expect_eval) \
    X("train.loss", " (evaluated if needed); ", expect_eval) \
    X("loss", ", ", expect_history) X("accuracy", ",\n", expect_history) X("val_loss", ", ", expect_history) \
    X("val_accuracy", ", ... (last epoch of the last run); ", expect_history) \
    X("epochs", "; ", expect_history) X("best_epoch", "; ", expect_history) \
    X("vocab.size", " (words + 1);\n", expect_vocab) X("vocab.words", "; ", expect_vocab) \
    X("train.count", "; ", expect_data) X("test.count", "; ", expect_data) X("classes", "; ", expect_data) \
    X("stats.count", ", ", expect_stats) X("stats.mean", ", ", expect_stats) X("stats.std", ", ", expect_stats) \
    X("stats.min", ",\n", expect_stats) X("stats.max", ", ", expect_stats) X("stats.50%", "; ", expect_stats) \
    X("model.params", ", ", expect_model) X("model.trainable", ", ", expect_model) \
    X("model.non_trainable", ", ", expect_model) X("model.layers", ";\n", expect_model) \
    X("pad.maxlen", ", ", expect_pad) X("pad.truncated", "; ", expect_pad) X("gradcheck.error", "; ", expect_gradcheck) \
    X("embeddings.rows", ".", expect_embeddings)

/* Shared by handlers. */
void app_changed(app_state *s, unsigned what);
/* The installed app_hooks (app_set_hooks): whether any watches the session; fit's progress (false
 * when nothing takes it); the runs `compare` showed; the columns of the output (0 when unknown). */
bool app_watched(void);
bool app_progress(const rnn_fit_progress *p);
void app_compared(app_state *s, const int *runs, int n);
int app_output_columns(void);
/* Drops encoded/padded data (after a new data set or tokenizer). */
void app_clear_encoded(app_state *s);
void app_clear_padded(app_state *s);
/* Drops the kept split predictions (cmd_model.c). */
void app_pred_cache_free(app_state *s);
/* Encodes (and pads, when a padding is set) the loaded data set with the current tokenizer. */
void app_reencode(app_state *s);
/* Pads the encoded splits with prep (maxlen 0: the longest train sequence; the test split gets the
 * train width) and makes prep, with that width, the session's. On error nothing changes. */
int app_pad_splits(app_state *s, rnn_prep prep, rnn_error *err);
/* Class name k from the data set, or from an opened pipeline. */
const char *app_class_name(const app_state *s, int k);
/* Evaluates the model on "train" or "test" into *out (requires compiled model and padded data). */
/* Evaluates a split in batches of batch_size (APP_EVAL_BATCH by default, as Keras's evaluate). */
enum { APP_EVAL_BATCH = 32 };
int app_evaluate(app_state *s, const app_command *cmd, const char *split, int batch_size, rnn_eval *out);
/* predict's rows for texts (through the tokenizer and padding of the data): printed one a line
 * (show_text: followed by the text), or written to output as CSV. */
int app_predict_texts(app_state *s, const app_command *cmd, char *const *texts, size_t n, const char *output, bool show_text);
/* Appends a new run (name NULL: run1, run2, ...); NULL when out of memory. */
app_run *app_run_new(app_state *s, const char *name);
/* The last run, or the run named `name`; NULL with an error reported when there is none. */
app_run *app_find_run(app_state *s, const app_command *cmd, const char *name);
/* Word-count description of a split with the given percentiles. */
int app_describe(app_state *s, const app_command *cmd, const char *split, const double *pct, int n_pct,
                 rnn_describe *out);
/* pandas-style number formatting of a column: all values with the same, minimal number of decimals. */
void app_format_column(const double *v, int n, char out[][40]);

/* Whether Ctrl-C was pressed since the last call (outside fit, at an interactive prompt: a long
 * statement such as a loop stops there); clears it. */
bool app_take_interrupt(void);

#endif
