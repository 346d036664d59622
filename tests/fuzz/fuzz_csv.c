/* The CSV/TSV loader (`load csv FILE [test=FILE] text= label= delimiter= test_split=`).
 * Input: one option byte, then the train file, optionally followed by 0x01 and a test file. */
#include <stdlib.h>
#include <unistd.h>
#include "rnnlab/rnnlab.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = { data, size };
    uint8_t opt = fuzz_byte(&in);
    fuzz_input train = fuzz_piece(&in, 0x01);
    bool has_test = in.n > 0 || (train.p + train.n < data + size);
    static const char delims[4] = { 0, ',', '\t', ';' };
    static const char *const text_cols[4] = { NULL, "text", "0", "1" };
    static const char *const label_cols[4] = { NULL, "label", "1", "0" };
    char train_path[32], test_path[32];
    int train_fd = fuzz_memfile(train.p, train.n, train_path);
    int test_fd = has_test ? fuzz_memfile(in.p, in.n, test_path) : -1;
    rnn_load_opts o = {
        .path = train_path,
        .test_path = has_test ? test_path : NULL,
        .delimiter = delims[opt & 3],
        .text_col = text_cols[(opt >> 2) & 3],
        .label_col = label_cols[(opt >> 4) & 3],
        .test_split = has_test ? -1 : (opt & 0x40) ? 0.25 : -1,
        .seed = -1,
    };
    rnn_dataset *ds = NULL;
    rnn_error err;
    if (rnn_dataset_load("csv", &o, &ds, &err) == RNN_OK)
        rnn_dataset_free(ds);
    close(train_fd);
    if (test_fd >= 0)
        close(test_fd);
    return 0;
}
