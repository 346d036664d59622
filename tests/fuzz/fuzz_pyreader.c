/* The reader of .py scripts and of Python typed at the prompt (src/app/pyreader.c): physical lines
 * into logical statements over brackets, strings, triple-quoted strings, a final '\' and indented
 * blocks. Input: the first byte picks the prompt's reading (a block ends at an empty line) or a
 * script's; the rest is the text, split at newlines. Each statement the reader completes is parsed
 * as a Python expression (nothing is run). Checked: what the reader holds is its lines joined by
 * newlines, and a line handed back (a block ended before it) is taken by the next feed. */
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "app/internal.h"
#include "app/python.h"
#include "fuzz_util.h"

static void parse_statement(const py_reader *r)
{
    if (!r->buf || strlen(r->buf) != r->len)
        abort();  /* the reader's length and its text disagree */
    rnn_value v = {0};
    rnn_error err;
    if (rnn_expr_parse(r->buf, &v, &err) == RNN_OK)
        rnn_value_free(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    py_reader r = {0};
    r.interactive = fuzz_byte(&in) & 1;
    size_t line_no = 0;
    while (in.n > 0) {
        char *line = fuzz_string(fuzz_piece(&in, '\n'));
        line_no++;
        py_feed f;
        int handed_back = 0;
        while ((f = py_reader_feed(&r, line, line_no)) != PY_FEED_MORE) {
            parse_statement(&r);
            py_reader_reset(&r);
            if (f != PY_FEED_DONE_PUSHBACK)
                break;
            if (++handed_back > 1)
                abort();  /* the same line handed back twice: the caller would loop */
        }
        free(line);
    }
    if (py_reader_finish(&r))
        parse_statement(&r);
    py_reader_free(&r);
    return 0;
}
