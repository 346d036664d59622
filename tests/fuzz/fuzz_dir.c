/* The folder loader (`load dir PATH`): one sub-folder per class, one file per example, maybe under
 * train/ and test/. Input: records separated by 0x01, each "RELATIVE/PATH\nFILE CONTENTS", made
 * into a folder tree; the first byte's bits choose a test_split (1), Keras's listing (2) unshuffled
 * (4), the tree's test/ folder as test= (8) and the seed (the rest). */
#include <stdio.h>
#include <stdlib.h>
#include "rnnlab/rnnlab.h"
#include "fuzz_util.h"

enum { MAX_FILES = 32 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = { data, size };
    uint8_t opt = fuzz_byte(&in);
    const char *root = fuzz_scratch_dir();
    for (int n = 0; in.n > 0 && n < MAX_FILES; n++) {
        fuzz_input record = fuzz_piece(&in, 0x01);
        char *rel = fuzz_string(fuzz_piece(&record, '\n'));
        fuzz_write_tree_file(root, rel, record.p, record.n);
        free(rel);
    }
    char test[4096];
    snprintf(test, sizeof test, "%s/test", root);
    rnn_load_opts o = {
        .path = root,
        .test_split = (opt & 1) ? 0.2 : -1,
        .keras_listing = (opt & 2) != 0,
        .keep_order = (opt & 4) != 0,
        .test_path = (opt & 8) ? test : NULL,
        .seed = opt >> 4,
    };
    rnn_dataset *ds = NULL;
    rnn_error err;
    if (rnn_dataset_load("dir", &o, &ds, &err) == RNN_OK)
        rnn_dataset_free(ds);
    return 0;
}
