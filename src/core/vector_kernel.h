/* RNN_VECTOR_KERNEL: the attribute of functions holding hot element-wise or matrix-vector loops,
 * vectorised at -O3 for AVX-512, AVX2 and baseline (picked at load time by the CPU).
 * RNN_SHORT_COPY_KERNEL: the same for loops that copy short rows, which stay loops (GCC would
 * otherwise make each a memcpy call).
 * RNN_EXACT_VECTOR_KERNEL: the same as RNN_VECTOR_KERNEL without fused multiply-adds, so that every
 * clone gives the bits of the plain C expressions (the optimizers' updates). sqrtf vectorises only
 * under the build's -fno-math-errno (GCC's optimize attribute does not take that option). */
#ifndef RNNLAB_ENGINE_VECTOR_KERNEL_H
#define RNNLAB_ENGINE_VECTOR_KERNEL_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RNN_KERNEL_CLONES target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")
#define RNN_VECTOR_KERNEL __attribute__((optimize("O3"), RNN_KERNEL_CLONES))
#define RNN_SHORT_COPY_KERNEL __attribute__((optimize("O3", "no-tree-loop-distribute-patterns"), RNN_KERNEL_CLONES))
#define RNN_EXACT_VECTOR_KERNEL __attribute__((optimize("O3", "fp-contract=off"), RNN_KERNEL_CLONES))
#elif defined(__GNUC__) && !defined(__clang__)
#define RNN_VECTOR_KERNEL __attribute__((optimize("O3")))
#define RNN_SHORT_COPY_KERNEL __attribute__((optimize("O3", "no-tree-loop-distribute-patterns")))
#define RNN_EXACT_VECTOR_KERNEL __attribute__((optimize("O3", "fp-contract=off")))
#else
#define RNN_VECTOR_KERNEL
#define RNN_SHORT_COPY_KERNEL
#define RNN_EXACT_VECTOR_KERNEL
#endif

/* RNN_KERNEL_INLINE: the helpers of those loops, always inlined into the kernel that calls them,
 * so that each CPU's clone has their loops in its own instructions (an out-of-line copy would be
 * compiled for the baseline CPU). */
#define RNN_KERNEL_INLINE static inline __attribute__((always_inline))

#endif
