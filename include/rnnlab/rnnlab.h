/* librnnlab: the engine of rnnlab, usable without the interface. */
#ifndef RNNLAB_H
#define RNNLAB_H
#include "rnnlab/common.h"
#include "rnnlab/tensor.h"
#include "rnnlab/call.h"
#include "rnnlab/data.h"
#include "rnnlab/text.h"
#include "rnnlab/wordvec.h"
#include "rnnlab/ngrams.h"
#include "rnnlab/layers.h"
#include "rnnlab/model.h"
#include "rnnlab/train.h"
#include "rnnlab/metrics.h"
#include "rnnlab/io.h"
#include "rnnlab/comm.h"
#endif
