/* The command language (scripts, `-c`, the prompt): split a line into commands, each command into
 * words, then read the words as the command table's command would: positional and key=value
 * arguments, each value through every typed reader. Nothing is run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/internal.h"
#include "app/python.h"
#include "fuzz_util.h"

static void quiet(const char *text, size_t len, bool is_error, void *ud)
{
    (void)text; (void)len; (void)is_error; (void)ud;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    app_set_sink(quiet, NULL);   /* the commands' error messages would flood the fuzzer's output */
    return 0;
}

/* Reads a command's words as the dispatcher does for its handler (the table says which keys and
 * how many positional words), then each value through every typed reader. */
static void read_command(const char *cmd)
{
    int argc = 0;
    char **argv = NULL;
    rnn_error err;
    if (parse_words(cmd, &argc, &argv, &err) != RNN_OK)
        return;
    const app_command *c = argc > 0 ? app_command_find(argv[0]) : NULL;
    app_args a;
    if (c && args_parse(&a, c, argc, argv) == RNN_OK) {
        for (int i = 0; i < a.nkv; i++) {
            long l; double d; bool b; const char *s;
            args_long(&a, a.key[i], 0, -1000000, 1000000, &l);
            args_double(&a, a.key[i], 0, 0, 1, &d);
            args_bool(&a, a.key[i], false, &b);
            args_choice(&a, a.key[i], "pre|post|none", "pre", &s);
        }
        free(args_join(&a, 0));
        free(args_join(&a, 1));
    }
    parse_free_words(argc, argv);
}

/* The line as a format spec of Python's format() for a few values, and as the left side of '%'. */
static void format_text(const char *line)
{
    rnn_value items[4] = {
        {.type = RNN_VAL_NUMBER, .number = -1234567.5},
        {.type = RNN_VAL_NUMBER, .number = 42, .is_integer = true},
        {.type = RNN_VAL_STRING, .string = (char *)"text"},
        {.type = RNN_VAL_BOOL, .number = 1, .is_integer = true},
    };
    rnn_value tuple = {.type = RNN_VAL_LIST, .is_tuple = true, .items = items, .n_items = 4};
    char buf[1024], why[200];
    for (int i = 0; i < 4; i++) {
        py_format_value(&items[i], line, "", buf, sizeof buf, why, sizeof why);
        py_format_value(&items[i], line, "r", buf, sizeof buf, why, sizeof why);
        free(py_percent_format(line, &items[i], why, sizeof why));
    }
    free(py_percent_format(line, &tuple, why, sizeof why));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = fuzz_string((fuzz_input){ data, size });
    format_text(line);
    char **cmds = NULL;
    int n = 0;
    rnn_error err;
    if (parse_split(line, size > 0 && (data[0] & 1), &cmds, &n, &err) == RNN_OK) {
        for (int i = 0; i < n; i++) {
            read_command(cmds[i]);
        }
        parse_free_strings(n, cmds);
    }
    free(line);
    return 0;
}
