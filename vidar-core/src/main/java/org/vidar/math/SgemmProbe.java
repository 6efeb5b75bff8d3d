package org.vidar.math;

import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A quick sgemm measurement (512×512×512, float, a few repetitions, well under 100 ms with a native
 * BLAS) that tells whether the chosen kernels run at the speed this CPU's vector units should give.
 * The BLAS runs on as many threads as it is given: one under {@code ./vidar}, which sets
 * {@code OPENBLAS_NUM_THREADS=1}, matching the single-core floors of {@link VectorIsa}.
 */
public final class SgemmProbe {

  /** Rows, columns and depth of the product. */
  static final int SIZE = 512;
  /** Timed repetitions at most; the fastest counts, as the others were slowed by something else. */
  private static final int MAX_REPETITIONS = 5;
  /** Timed repetitions stop once this much time has passed (at least one runs). */
  private static final long BUDGET_NANOS = 60_000_000L;

  /**
   * One measurement.
   *
   * @param gflops the fastest repetition, in 10⁹ floating-point operations a second
   * @param repetitions how many timed repetitions ran
   * @param isa the CPU's vector instructions, which set the expected floor
   */
  public record Result(double gflops, int repetitions, VectorIsa isa) {

    /** Whether the speed is far below what the CPU's vector instructions should give. */
    public boolean farBelowFloor() {
      return gflops < isa.floorGflops();
    }
  }

  private SgemmProbe() {
  }

  /** Measures {@code kernels} on this machine's CPU. */
  public static Result measure(Kernels kernels) {
    return measure(kernels, VectorIsa.detect());
  }

  /** Measures {@code kernels}, judged against the floor of {@code isa}. */
  public static Result measure(Kernels kernels, VectorIsa isa) {
    int n = SIZE;
    SplittableRandom random = new SplittableRandom(7);
    float[] a = new float[n * n];
    float[] b = new float[n * n];
    float[] c = new float[n * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (random.nextDouble() - 0.5);
      b[i] = (float) (random.nextDouble() - 0.5);
    }
    // The first call pays for thread start-up and buffer allocation in the BLAS: not timed.
    kernels.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
    long best = Long.MAX_VALUE;
    int repetitions = 0;
    long start = System.nanoTime();
    do {
      long t0 = System.nanoTime();
      kernels.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
      best = Math.min(best, Math.max(1, System.nanoTime() - t0));
      repetitions++;
    } while (repetitions < MAX_REPETITIONS && System.nanoTime() - start < BUDGET_NANOS);
    double flops = 2.0 * n * n * n;
    return new Result(flops / best, repetitions, isa);
  }

  /**
   * A one-line warning saying what to do when {@code result} is far below the CPU's floor, or empty.
   *
   * @param nativeBlas whether the kernels call a native BLAS (otherwise a Java fallback measured)
   * @param coreType the OpenBLAS core type, {@code auto} when unset ({@link KernelProvider#coreType()})
   */
  public static Optional<String> warning(Result result, boolean nativeBlas, String coreType) {
    if (!result.farBelowFloor()) {
      return Optional.empty();
    }
    VectorIsa isa = result.isa();
    String cause;
    if (!nativeBlas) {
      cause = "no native BLAS; on Linux x86-64 do not force -Dvidar.kernels=java or -Dvidar.blas=system,"
          + " elsewhere install OpenBLAS as libblas.so.3";
    } else if (coreType.equals("auto")) {
      cause = "OpenBLAS picked narrow kernels or the CPU is busy; try OPENBLAS_CORETYPE=" + isa.openBlasCore()
          + " and check the machine's load";
    } else {
      cause = "OPENBLAS_CORETYPE=" + coreType + " may hold OpenBLAS to narrow kernels, or the CPU is busy;"
          + " unset it or set " + isa.openBlasCore() + ", and check the machine's load";
    }
    return Optional.of(String.format(Locale.ROOT,
        "sgemm %.1f GFLOP/s is far below the %.0f one %s core should give: %s",
        result.gflops(), isa.floorGflops(), isa.label(), cause));
  }
}
