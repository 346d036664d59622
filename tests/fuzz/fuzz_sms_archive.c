/* The SMS archive reader (`load sms path=FILE`): smsspamcollection.zip (member SMSSpamCollection),
 * a tar holding it, or the bare file; lines "ham|spam TAB message". Input: the file; its size's
 * parity chooses clean=true. */
#include <unistd.h>
#include "rnnlab/rnnlab.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[32];
    int fd = fuzz_memfile(data, size, path);
    rnn_load_opts o = { .path = path, .seed = -1, .test_split = -1, .clean = size & 1,
                        .allow_download = false };
    rnn_dataset *ds = NULL;
    rnn_error err;
    if (rnn_dataset_load("sms", &o, &ds, &err) == RNN_OK)
        rnn_dataset_free(ds);
    close(fd);
    return 0;
}
