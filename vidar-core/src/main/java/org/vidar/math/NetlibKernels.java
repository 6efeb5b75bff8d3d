package org.vidar.math;

import dev.ludovic.netlib.blas.BLAS;
import java.util.Objects;

/**
 * Kernels through dev.ludovic.netlib, the BLAS Spark calls: native OpenBLAS ({@code JNIBLAS}), the
 * bundled one ({@link BundledOpenBlas}) or the system's {@code libblas.so.3}, otherwise netlib's own
 * pure-Java fallback.
 */
public final class NetlibKernels extends CheckedKernels {

  private final BLAS blas;

  /** Kernels on {@link #defaultBlas()}. */
  public NetlibKernels() {
    this(defaultBlas());
  }

  /** Kernels on a given netlib backend (for example {@code JavaBLAS.getInstance()} in benchmarks). */
  public NetlibKernels(BLAS blas) {
    this.blas = Objects.requireNonNull(blas, "blas");
  }

  /**
   * netlib's own choice of backend ({@link BLAS#getInstance()}), after pointing it at the bundled
   * OpenBLAS: every caller in Vidar goes through here, so that happens before netlib loads.
   */
  static BLAS defaultBlas() {
    BundledOpenBlas.install();
    return BLAS.getInstance();
  }

  /** Whether the backend is the native one (JNI to a native BLAS). */
  public boolean isNative() {
    return isNative(blas);
  }

  static boolean isNative(BLAS blas) {
    return blas.getClass().getName().contains("JNIBLAS");
  }

  @Override
  public String name() {
    // The core OpenBLAS was told to use (the launcher chooses AVX-512 kernels the library does not
    // choose by itself): SIMD widths do not give bit-identical floats, so provenance records it.
    String core = System.getenv("OPENBLAS_CORETYPE");
    return "netlib:" + blas.getClass().getSimpleName() + (core == null || core.isBlank() ? "" : " (OPENBLAS_CORETYPE="
        + core + ")");
  }

  @Override
  void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
       float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
       float beta, float[] c, int cOff, int ldc) {
    if (k == 0) {
      // netlib's own index check rejects an empty transposed A or B (it computes a negative
      // last index), so C = beta·C is done here.
      JavaKernels.scale(0, m, n, beta, c, cOff, ldc);
      return;
    }
    // BLAS is column-major, and a row-major matrix read column-major is its transpose. So
    // row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: swap A with B and m with
    // n, and keep each flag (the stored Bᵀ read as column-major is B again).
    blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha,
        b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
  }
}
