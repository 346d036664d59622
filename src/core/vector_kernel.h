/* RNN_VECTOR_KERNEL: the attribute of functions holding hot element-wise or matrix-vector loops,
 * vectorised at -O3 for AVX-512, AVX2 and baseline (picked at load time by the CPU).
 * RNN_SHORT_COPY_KERNEL: the same for loops that copy short rows, which stay loops (GCC would
 * otherwise make each a memcpy call). */
#ifndef RNNLAB_ENGINE_VECTOR_KERNEL_H
#define RNNLAB_ENGINE_VECTOR_KERNEL_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RNN_KERNEL_CLONES target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")
#define RNN_VECTOR_KERNEL __attribute__((optimize("O3"), RNN_KERNEL_CLONES))
#define RNN_SHORT_COPY_KERNEL __attribute__((optimize("O3", "no-tree-loop-distribute-patterns"), RNN_KERNEL_CLONES))
#elif defined(__GNUC__) && !defined(__clang__)
#define RNN_VECTOR_KERNEL __attribute__((optimize("O3")))
#define RNN_SHORT_COPY_KERNEL __attribute__((optimize("O3", "no-tree-loop-distribute-patterns")))
#else
#define RNN_VECTOR_KERNEL
#define RNN_SHORT_COPY_KERNEL
#endif

#endif
