/* rnnlab: the invocation forms (dashboard, plain REPL, scripts, -c, stdin) and exit codes. The
 * program's entry point stands on src/app (the session and its commands) and src/tui (the
 * dashboard): the one place that starts the dashboard, so that the app never includes the tui. */
#include "config.h"
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/internal.h"
#include "app/mpi.h"
#include "app/repl.h"
#include "app/python.h"
#include "tui/dashboard.h"

/* "rnnlab 0.1.0", and the sanitizers of a --enable-sanitizers build (tests lift their memory limit on
 * it); then the OpenBLAS kernels in use, which set the machine's speed as much as rnnlab does (this
 * project's machine: sgemm 184 GFLOP/s on two cores with Haswell's, 353-361 with Cooperlake's), and
 * whether rnnlab's own loops take the products with few columns (the recurrent steps' on it). */
static void main_version(void)
{
#ifdef RNNLAB_SANITIZERS
    printf("rnnlab %s (sanitizers: %s)\n", rnn_version(), RNNLAB_SANITIZERS);
#else
    printf("rnnlab %s\n", rnn_version());
#endif
    printf("OpenBLAS kernels: %s\n", rnn_blas_kernels());
    const char *own = rnn_blas_own_loops();
    printf("own loops for products with few columns: %s\n", own ? own : "none (OpenBLAS does every product)");
    printf("gzip archives inflated by: %s\n", rnn_data_gzip_reader());
}

static void main_usage(FILE *f)
{
    fprintf(f,
            "usage: rnnlab [OPTION]... [FILE]...\n"
            "A terminal workbench for recurrent-network text classification.\n\n"
            "  rnnlab                 dashboard on a terminal of at least 80x24, plain prompt otherwise\n"
            "  rnnlab --plain         prompt without the dashboard (Keras-style progress lines)\n"
            "  rnnlab FILE...         replay scripts in order; exit 0 only if every command succeeded\n"
            "  rnnlab -i FILE         replay FILE, then stay interactive\n"
            "  rnnlab -c 'CMD; CMD'   run the commands given\n"
            "  ... | rnnlab           read commands from standard input\n\n"
            "options:\n"
            "  -c, --command CMDS     run CMDS (';'-separated)\n"
            "  -i, --interactive FILE replay FILE, then stay interactive (may be repeated)\n"
            "      --plain            no dashboard\n"
            "  -k, --keep-going       in scripts, report an error and continue\n"
            "      --strict           a Python statement rnnlab skips is an error (Keras .py scripts)\n"
            "      --seed N           seed for models, shuffling and dropout (default 0)\n"
            "      --threads N        worker threads (default: online CPUs, at most 8)\n"
            "      --data-dir DIR     data set cache folder (also RNNLAB_DATA)\n"
            "      --help-commands    print the command list as man page source\n"
            "      --complete LINE    print the Tab completions of LINE's last word, one per line\n"
            "  -V, --version          print the version and the matrix product kernels in use\n"
            "  -h, --help             print this help\n\n"
            "exit status: 0 ok, 64 usage, 65 failed command, data error or expectation, 66 cannot\n"
            "open input, 70 internal error, 74 I/O error, 130 interrupted (Ctrl-C). Type `help` inside\n"
            "rnnlab for the commands; see rnnlab(1) and rnnlab-script(5).\n");
}

typedef struct main_opts {
    bool plain, keep_going, strict;
    const char *command;
    const char *interactive[16]; int n_interactive;
    long seed, threads;
    const char *data_dir;
} main_opts;

static bool main_number(const char *opt, const char *v, long lo, long hi, long *out)
{
    if (str_to_long(v, out) && *out >= lo && *out <= hi) return true;
    fprintf(stderr, "rnnlab: %s '%s': expected an integer from %ld to %ld\n", opt, v, lo, hi);
    return false;
}

/* --complete LINE: the Tab completions of the last word of LINE, one per line (for tests). */
static void main_complete(const char *line)
{
    int end = (int)strlen(line), start = end;
    while (start > 0 && !strchr(" \t;", line[start - 1])) start--;
    char **m = app_complete(line, line + start, start, end);
    /* readline's first entry is the common prefix when there are several matches */
    for (int i = m && m[1] ? 1 : 0; m && m[i]; i++) printf("%s\n", m[i]);
    for (int i = 0; m && m[i]; i++) free(m[i]);
    free(m);
}

/* Returns -1 to continue, or an exit status. */
static int main_parse(int argc, char **argv, main_opts *o)
{
    enum { OPT_PLAIN = 256, OPT_STRICT, OPT_SEED, OPT_THREADS, OPT_DATA_DIR, OPT_HELP_COMMANDS, OPT_COMPLETE };
    static const struct option longs[] = {
        {"plain", no_argument, NULL, OPT_PLAIN}, {"keep-going", no_argument, NULL, 'k'},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"command", required_argument, NULL, 'c'}, {"interactive", required_argument, NULL, 'i'},
        {"seed", required_argument, NULL, OPT_SEED}, {"threads", required_argument, NULL, OPT_THREADS},
        {"data-dir", required_argument, NULL, OPT_DATA_DIR}, {"help-commands", no_argument, NULL, OPT_HELP_COMMANDS},
        {"complete", required_argument, NULL, OPT_COMPLETE},
        {"version", no_argument, NULL, 'V'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":c:i:kVh", longs, NULL)) != -1) {
        switch (ch) {
        case OPT_PLAIN: o->plain = true; break;
        case 'k': o->keep_going = true; break;
        case OPT_STRICT: o->strict = true; break;
        case 'c': o->command = optarg; break;
        case 'i':
            if (o->n_interactive == 16) { fprintf(stderr, "rnnlab: -i: at most 16 files\n"); return RNN_EUSAGE; }
            o->interactive[o->n_interactive++] = optarg;
            break;
        case OPT_SEED: if (!main_number("--seed", optarg, 0, 4294967295L, &o->seed)) return RNN_EUSAGE; break;
        case OPT_THREADS: if (!main_number("--threads", optarg, 1, 256, &o->threads)) return RNN_EUSAGE; break;
        case OPT_DATA_DIR: {
            const char *why = app_data_dir_problem(optarg);
            if (why) {
                fprintf(stderr, "rnnlab: --data-dir '%s': %s\n", optarg, why);
                return RNN_EUSAGE;
            }
            o->data_dir = optarg;
            break;
        }
        case OPT_HELP_COMMANDS: app_print_man_commands(); return 0;
        case OPT_COMPLETE: main_complete(optarg); return 0;
        case 'V': main_version(); return 0;
        case 'h': main_usage(stdout); return 0;
        case ':':
            fprintf(stderr, "rnnlab: option '%s' expects a value (see rnnlab --help)\n", argv[optind - 1]);
            return RNN_EUSAGE;
        default:
            fprintf(stderr, "rnnlab: unknown option '%s' (see rnnlab --help)\n", argv[optind - 1]);
            return RNN_EUSAGE;
        }
    }
    return -1;
}

enum { MAIN_INTERRUPTED = 128 + SIGINT };

/* A failed command in a non-interactive run exits 65 (EX_DATAERR); input, I/O and internal
 * errors keep their own codes; an interrupted one 130. */
static int main_status(int rc)
{
    if (rc == RNN_OK || rc == APP_QUIT) return 0;
    if (rc == APP_INTERRUPTED) return MAIN_INTERRUPTED;
    if (rc == RNN_ENOINPUT || rc == RNN_EIO || rc == RNN_EINTERNAL) return rc;
    return RNN_EDATA;
}

/* Ends a non-interactive run. One stopped by Ctrl-C ends as SIGINT would have ended it, so that
 * a calling shell script stops too (it sees status 130). */
static int main_exit(app_state *s, int rc)
{
    int status = main_status(rc);
    app_free(s);
    app_mpi_finish();
    if (status == MAIN_INTERRUPTED) {
        fflush(stdout);
        fflush(stderr);
        signal(SIGINT, SIG_DFL);
        raise(SIGINT);
    }
    return status;
}

/* Runs scripts in order; the first failure ends the run unless --keep-going; an interrupt ends it. */
static int main_scripts(app_state *s, char *const *files, int n, bool *quit)
{
    int first = RNN_OK;
    for (int i = 0; i < n && !*quit; i++) {
        int rc = app_exec_file(s, files[i]);
        if (rc == APP_QUIT) { *quit = true; break; }
        if (rc == APP_INTERRUPTED) return rc;
        if (rc != RNN_OK) {
            if (first == RNN_OK) first = rc;
            if (!s->keep_going) break;
        }
    }
    return first;
}

int main(int argc, char **argv)
{
    rnn_blas_short_spin();
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");   /* numbers in scripts and output always use '.' */
    int rc = app_mpi_start(&argc, &argv);
    if (rc >= 0) return rc;
    main_opts o = {0};
    o.seed = -1; o.threads = -1;
    rc = main_parse(argc, argv, &o);
    if (rc >= 0) { app_mpi_finish(); return rc; }
    if (o.threads < 0 && app_mpi_default_threads() > 0) o.threads = app_mpi_default_threads();
    if (o.threads > 0) rnn_set_threads((int)o.threads);
    if (o.data_dir) rnn_set_data_dir(o.data_dir);
    static app_state state;
    app_state *s = &state;
    app_init(s);
    /* Over a file-size limit (ulimit -f) a write fails with EFBIG and the file is not replaced,
     * instead of the default of killing the program in the middle of it. */
    signal(SIGXFSZ, SIG_IGN);
    if (o.seed >= 0) s->seed = (unsigned long)o.seed;
    s->start_seed = s->seed;
    s->keep_going = o.keep_going;
    if (o.strict && py_session_get(s)) py_session_get(s)->strict = true;
    s->tty = isatty(STDOUT_FILENO);
    /* mpirun gives each rank a terminal of its own whatever its own output is: progress lines */
    int ranks = app_mpi_setup(s);
    if (ranks > 1) s->tty = false;
    s->plain = true;
    bool stdin_tty = isatty(STDIN_FILENO);
    char *const *files = argv + optind;
    int n_files = argc - optind;
    bool quit = false;
    int result = RNN_OK;

    if (n_files > 0 || o.command) {
        /* non-interactive: scripts, then -c */
        app_signals_install(s, false);
        result = main_scripts(s, files, n_files, &quit);
        if (o.command && !quit && result != APP_INTERRUPTED && (result == RNN_OK || s->keep_going)) {
            rc = app_exec(s, o.command);
            if (rc == APP_INTERRUPTED || (rc != RNN_OK && rc != APP_QUIT && result == RNN_OK)) result = rc;
        }
        return main_exit(s, result);
    }
    if (ranks > 1) {   /* under mpirun, only rank 0 has the terminal and standard input */
        if (s->comm->rank == 0)
            fprintf(stderr, "rnnlab: with %d MPI ranks, give script files or -c 'CMDS': the prompt, the dashboard "
                "and standard input belong to one process\n", ranks);
        app_free(s);
        app_mpi_finish();
        return RNN_EUSAGE;
    }
    if (!stdin_tty && o.n_interactive == 0) {
        /* commands on stdin: a script without prompt and without control characters */
        app_signals_install(s, false);
        s->tty = false;
        result = app_exec_file(s, "-");
        return main_exit(s, result);
    }
    if (!o.plain && tui_can_start()) {
        s->plain = false;
        int status = tui_main(s, o.interactive, o.n_interactive);
        app_free(s);
        app_mpi_finish();
        return status;
    }
    /* -i FILE: replay, then stay interactive whatever happened */
    app_signals_install(s, true);
    main_scripts(s, (char *const *)o.interactive, o.n_interactive, &quit);
    if (!quit) {
        if (stdin_tty) app_repl(s);
        else app_exec_file(s, "-");
    }
    app_free(s);
    app_mpi_finish();
    return 0;
}
