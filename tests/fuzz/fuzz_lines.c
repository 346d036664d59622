/* The line-file loader (`load lines CLASS=FILE ...`): every non-blank line is an example of its
 * file's class. Input: records separated by 0x01, each "CLASS\nFILE CONTENTS"; the first byte
 * chooses a test_split. */
#include <stdlib.h>
#include <unistd.h>
#include "rnnlab/rnnlab.h"
#include "fuzz_util.h"

enum { MAX_FILES = 8 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = { data, size };
    uint8_t opt = fuzz_byte(&in);
    char *classes[MAX_FILES];
    char paths[MAX_FILES][32];
    const char *files[MAX_FILES];
    int fds[MAX_FILES], n = 0;
    while (in.n > 0 && n < MAX_FILES) {
        fuzz_input record = fuzz_piece(&in, 0x01);
        fuzz_input name = fuzz_piece(&record, '\n');
        classes[n] = fuzz_string(name);
        fds[n] = fuzz_memfile(record.p, record.n, paths[n]);
        files[n] = paths[n];
        n++;
    }
    rnn_load_opts o = {
        .n_lines = n,
        .line_classes = (const char *const *)classes,
        .line_files = files,
        .test_split = (opt & 1) ? 0.2 : -1,
        .seed = opt >> 1,
    };
    rnn_dataset *ds = NULL;
    rnn_error err;
    if (rnn_dataset_load("lines", &o, &ds, &err) == RNN_OK)
        rnn_dataset_free(ds);
    for (int i = 0; i < n; i++) {
        free(classes[i]);
        close(fds[i]);
    }
    return 0;
}
