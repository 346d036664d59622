/* Placeholder until the app lands. */
#include <stdio.h>
#include "rnnlab/common.h"
int main(void) { printf("rnnlab %s\n", rnn_version()); return 0; }
