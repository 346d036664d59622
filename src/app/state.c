/* The session state, the output sink and running lines and script files. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "app/internal.h"
#include "app/python.h"

static app_sink_fn sink_fn;
static void *sink_ud;
static char err_where[4200];   /* "FILE:LINE: " while a script runs */
static char script_dir[4200];  /* folder of the running script file, "" outside scripts and on stdin */

void app_set_sink(app_sink_fn fn, void *ud) { sink_fn = fn; sink_ud = ud; }

/* An error is one line that cannot drive the terminal: control characters in it (a newline in a
 * quoted argument, an escape sequence in a mistyped command) are written as \n, \t, \r or \xNN.
 * Returns s itself when it has none, else a malloc'd copy with room for one more byte (NULL when
 * out of memory). */
static char *error_escaped(char *s, size_t *len)
{
    size_t extra = 0;
    for (size_t i = 0; i < *len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) extra += 3;
    if (!extra) return s;
    size_t cap = *len + extra + 2;   /* and a newline and a NUL */
    char *e = malloc(cap);
    if (!e) return NULL;
    rnn_escape_text(s, *len, *len, false, e, cap - 1);
    *len = strlen(e);
    return e;
}

static void sink_vwrite(bool is_error, const char *prefix, const char *fmt, va_list ap)
{
    char small[1024], *buf = small;
    va_list ap2;
    va_copy(ap2, ap);
    size_t plen = strlen(prefix);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return;
    size_t need = plen + (size_t)n + 2;
    if (need > sizeof small && !(buf = malloc(need))) return;
    memcpy(buf, prefix, plen);
    vsnprintf(buf + plen, (size_t)n + 1, fmt, ap);
    size_t len = plen + (size_t)n;
    if (is_error) {
        char *e = error_escaped(buf, &len);
        if (e != buf && buf != small) free(buf);
        if (!e) return;
        buf = e;
        buf[len++] = '\n';
    }
    buf[len] = 0;
    if (sink_fn) sink_fn(buf, len, is_error, sink_ud);
    else {
        if (is_error) fflush(stdout);
        fwrite(buf, 1, len, is_error ? stderr : stdout);
        if (is_error) fflush(stderr);
    }
    if (buf != small) free(buf);
}

void app_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sink_vwrite(false, "", fmt, ap);
    va_end(ap);
}

void app_error(const char *fmt, ...)
{
    char prefix[4300];
    snprintf(prefix, sizeof prefix, "%s%s", err_where[0] ? err_where : "rnnlab: ", "error: ");
    va_list ap;
    va_start(ap, fmt);
    sink_vwrite(true, prefix, fmt, ap);
    va_end(ap);
}

void app_bar(int done, int total, int w, char *buf)
{
    int fill = total ? done * w / total : w;
    for (int i = 0; i < w; i++) buf[i] = i < fill ? '=' : (i == fill ? '>' : '.');
    buf[w] = 0;
}

bool app_word_in(const char *list, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = list; (p = strstr(p, w)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return true;
    return false;
}

int app_pad_to(const char *s, int cols)
{
    size_t w = rnn_utf8_width(s);
    return w >= (size_t)cols ? 0 : cols - (int)w;
}

int app_fail(int code, const app_command *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof msg) {
        /* a long argument quoted in the message: cut it between two UTF-8 characters, and say so */
        size_t cut = sizeof msg - 4;
        while (cut > 0 && ((unsigned char)msg[cut] & 0xc0) == 0x80) cut--;
        memcpy(msg + cut, "...", 4);
    }
    app_error("%s: %s", cmd->name, msg);
    return code;
}

int app_fail_err(const app_command *cmd, const rnn_error *err)
{
    app_error("%s: %s", cmd->name, err->msg[0] ? err->msg : "failed");
    return err->code ? err->code : RNN_EINTERNAL;
}

/* A line that does not parse: "syntax: message". */
static int exec_syntax_error(const rnn_error *err)
{
    app_error("syntax: %s", err->msg);
    return err->code ? err->code : RNN_EINTERNAL;
}

void app_init(app_state *s)
{
    memset(s, 0, sizeof *s);
    s->seed = 0;
    s->threads = rnn_get_threads();
    s->plain = true;
    s->last_eval_split[0] = 0;
    s->gradcheck_error = NAN;
}

void app_clear_padded(app_state *s)
{
    rnn_imatrix_free(&s->x_train);
    rnn_imatrix_free(&s->x_test);
    s->prep = (rnn_prep){0};
    s->truncated_train = s->truncated_test = 0;
    s->last_eval.n = 0;
}

void app_clear_encoded(app_state *s)
{
    rnn_seqs_free(&s->seq_train);
    rnn_seqs_free(&s->seq_test);
    app_clear_padded(s);
}

void app_free(app_state *s)
{
    app_clear_encoded(s);
    rnn_fmatrix_free(&s->pretrained);
    rnn_wordvec_free(s->wordvec);
    rnn_ngrams_free(s->ngrams);
    if (s->model) rnn_model_free(s->model);
    if (s->tok) rnn_tokenizer_free(s->tok);
    if (s->ds) rnn_dataset_free(s->ds);
    for (int i = 0; i < s->n_runs; i++) rnn_history_free(&s->runs[i].hist);
    free(s->runs);
    parse_free_strings(s->n_session, s->session);
    parse_free_strings(s->n_saved_classes, s->saved_classes);
    py_session_free(s);
    app_pred_cache_free(s);
    memset(s, 0, sizeof *s);
}

static app_hooks hooks;

void app_set_hooks(const app_hooks *h)
{
    if (h) hooks = *h;
    else memset(&hooks, 0, sizeof hooks);
}

bool app_watched(void) { return hooks.progress || hooks.changed || hooks.compared; }

void app_changed(app_state *s, unsigned what)
{
    /* kept predictions depend on the compile too (from_logits), which their key does not hold */
    if (what & APP_CHANGED_MODEL) app_pred_cache_free(s);
    if (hooks.changed) hooks.changed(s, what, hooks.ud);
}

bool app_progress(const rnn_fit_progress *p)
{
    if (!hooks.progress) return false;
    hooks.progress(p, hooks.ud);
    return true;
}

void app_compared(app_state *s, const int *runs, int n)
{
    if (hooks.compared) hooks.compared(s, runs, n, hooks.ud);
}

int app_output_columns(void) { return hooks.output_columns ? hooks.output_columns(hooks.ud) : 0; }

/* Commands that are not part of a replayable session. */
static bool exec_is_recorded(const char *name)
{
    static const char *const skip[] = {"help", "session", "quit", "source", NULL};
    for (int i = 0; skip[i]; i++)
        if (strcmp(name, skip[i]) == 0) return false;
    return true;
}

static void exec_record(app_state *s, const char *cmd)
{
    char **v = realloc(s->session, sizeof *v * (size_t)(s->n_session + 1));
    if (!v) return;
    s->session = v;
    if ((v[s->n_session] = strdup(cmd))) s->n_session++;
}

int app_exec_command(app_state *s, const char *cmd)
{
    rnn_error err = {0};
    int argc; char **argv;
    int rc = parse_words(cmd, &argc, &argv, &err);
    if (rc != RNN_OK) return exec_syntax_error(&err);
    s->stop = 0;
    rc = app_dispatch(s, argc, argv);
    if (!sink_fn) fflush(stdout);   /* logs of long scripts show each command's output as it ends */
    /* an interrupted fit made a run: a replay needs it for the next fit's seed */
    if ((rc == RNN_OK || rc == APP_INTERRUPTED) && argc > 0 && exec_is_recorded(argv[0])) exec_record(s, cmd);
    parse_free_words(argc, argv);
    return rc;
}

void app_set_where(const char *file, size_t line)
{
    if (file) snprintf(err_where, sizeof err_where, "%s:%zu: ", file, line);
    else err_where[0] = 0;
}

int app_exec(app_state *s, const char *line)
{
    rnn_error err = {0};
    char **cmds; int n;
    if (parse_split(line, py_is_statement(line), &cmds, &n, &err) != RNN_OK) return exec_syntax_error(&err);
    int result = RNN_OK;
    for (int i = 0; i < n; i++) {
        /* a Python statement of a Keras tutorial runs as the commands it stands for */
        int rc = py_is_statement(cmds[i]) || py_is_bound_name(s, cmds[i]) ? py_exec(s, cmds[i])
                                                                          : app_exec_command(s, cmds[i]);
        if (rc == APP_QUIT || rc == APP_INTERRUPTED) { result = rc; break; }
        if (rc != RNN_OK) {
            if (result == RNN_OK) result = rc;
            if (!s->keep_going || app_source_overflow) break;
        }
    }
    parse_free_strings(n, cmds);
    return result;
}

int app_exec_typed(app_state *s, const char *line)
{
    py_session *ps = py_session_get(s);
    if (!ps) return app_exec(s, line);
    if (!ps->typed && !(ps->typed = calloc(1, sizeof *ps->typed))) return app_exec(s, line);
    py_reader *r = ps->typed;
    r->interactive = true;
    int result = RNN_OK;
    py_feed f;
    while ((f = py_reader_feed(r, line, ++ps->typed_lines)) != PY_FEED_MORE) {
        char *text = strdup(r->buf ? r->buf : "");
        size_t first = r->first_line;
        py_reader_reset(r);
        if (!text) return py_fail(RNN_EINTERNAL, "rnnlab", "out of memory");
        ps->at_prompt = true;
        int rc = py_run_logical(s, text, first);
        ps->at_prompt = false;
        free(text);
        if (rc != RNN_OK && result == RNN_OK) result = rc;
        if (rc == APP_QUIT || rc == APP_INTERRUPTED || f == PY_FEED_DONE) break;
    }
    return result;
}

void app_prompt_cancel(app_state *s)
{
    if (s->py && s->py->typed) py_reader_reset(s->py->typed);
}

bool app_prompt_continues(const app_state *s)
{
    return s->py && s->py->typed && s->py->typed->len > 0;
}

#define SCRIPT_PEEK 8192

/* A NUL byte in the first bytes of a regular file: a binary file, refused before any of its
 * bytes run (and print) as commands. A pipe cannot be rewound: its lines are checked one by one. */
static bool script_starts_binary(FILE *f)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    char buf[SCRIPT_PEEK];
    size_t n = fread(buf, 1, sizeof buf, f);
    bool nul = memchr(buf, 0, n) != NULL;
    rewind(f);
    return nul;
}

char *app_input_path(const char *path)
{
    if (!path || !path[0] || path[0] == '/' || !script_dir[0]) return NULL;
    size_t n = strlen(script_dir) + strlen(path) + 2;
    char *p = malloc(n);
    if (!p) return NULL;
    snprintf(p, n, "%s/%s", script_dir, path);
    if (access(p, F_OK) == 0) return p;
    free(p);
    return NULL;
}

/* The folder part of a script's path ("." for a bare name). */
static void script_dir_of(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(out, n, ".");
    else if (slash == path) snprintf(out, n, "/");
    else snprintf(out, n, "%.*s", (int)(slash - path), path);
}

int app_exec_file(app_state *s, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        int code = errno == ENOENT || errno == EACCES ? RNN_ENOINPUT : RNN_EIO;
        app_error("cannot open script '%s': %s", path, strerror(errno));
        return code;
    }
    const char *name = f == stdin ? "standard input" : path;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        app_error("cannot open script '%s': is a folder, expected a file of commands", name);
        if (f != stdin) fclose(f);
        return RNN_ENOINPUT;
    }
    if (script_starts_binary(f)) {
        app_error("'%s' is not a script: a NUL byte in its first %d KB (a binary file?)", name, SCRIPT_PEEK / 1024);
        if (f != stdin) fclose(f);
        return RNN_EDATA;
    }
    char saved[sizeof err_where], saved_dir[sizeof script_dir];
    memcpy(saved, err_where, sizeof saved);
    memcpy(saved_dir, script_dir, sizeof saved_dir);
    if (f == stdin) script_dir[0] = 0;
    else script_dir_of(path, script_dir, sizeof script_dir);
    const char *where = f == stdin ? "stdin" : path;
    rnn_line_reader lr = {.f = f, .name = where};
    rnn_error err = {0};
    int result = RNN_OK, rc;
    bool got, stop = false;
    py_session *ps = py_session_get(s);
    char saved_file[sizeof ps->file];
    int saved_line = ps ? ps->line : 0;
    if (ps) {
        memcpy(saved_file, ps->file, sizeof saved_file);
        snprintf(ps->file, sizeof ps->file, "%s", where);
    }
    /* statements go on over lines while their brackets are open (and Python blocks) */
    py_reader r = {0};
    while (!stop && (rc = rnn_line_next(&lr, &got, &err)) == RNN_OK) {
        py_feed fd;
        while ((fd = got ? py_reader_feed(&r, lr.buf, lr.line) : py_reader_finish(&r) ? PY_FEED_DONE : PY_FEED_MORE) !=
               PY_FEED_MORE) {
            snprintf(err_where, sizeof err_where, "%s:%zu: ", where, r.first_line);
            int done = py_run_logical(s, r.buf, r.first_line);
            py_reader_reset(&r);
            if (done == APP_QUIT || done == APP_INTERRUPTED) { result = done; stop = true; break; }
            if (done != RNN_OK) {
                if (result == RNN_OK) result = done;
                if (!s->keep_going || app_source_overflow) { stop = true; break; }
            }
            if (fd == PY_FEED_DONE || !got) break;
        }
        if (!got) break;
    }
    py_reader_free(&r);
    if (ps) {
        memcpy(ps->file, saved_file, sizeof saved_file);
        ps->line = saved_line;
    }
    if (rc != RNN_OK) {
        /* the script itself is at fault: a line past the limit, a NUL byte, a read error */
        memcpy(err_where, saved, sizeof err_where);
        app_error("%s", err.msg);
        if (result == RNN_OK) result = rc;
    }
    rnn_line_reader_free(&lr);
    if (f != stdin) fclose(f);
    memcpy(err_where, saved, sizeof err_where);
    memcpy(script_dir, saved_dir, sizeof script_dir);
    return result;
}
