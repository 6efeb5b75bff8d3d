package org.vidar.math;

import dev.ludovic.netlib.blas.BLAS;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link Kernels} implementation once per JVM and logs which one and why: netlib when
 * it reaches a native BLAS, the plain-Java kernels otherwise. The system property
 * {@code vidar.kernels=java|netlib|auto} forces a choice.
 */
public final class KernelProvider {

  /** System property that forces an implementation: {@code java}, {@code netlib} or {@code auto}. */
  public static final String PROPERTY = "vidar.kernels";

  private static final Logger LOG = LoggerFactory.getLogger(KernelProvider.class);

  private KernelProvider() {
  }

  /** The kernels of this JVM, chosen on first use from {@value #PROPERTY} (default auto). */
  public static Kernels get() {
    return Holder.INSTANCE;
  }

  /** Lazy holder: the choice (and netlib's native library probe) happens once, on first use. */
  private static final class Holder {
    static final Kernels INSTANCE = select(System.getProperty(PROPERTY, "auto"));
  }

  /**
   * Chooses kernels for {@code mode} ({@code java}, {@code netlib} or {@code auto}, any case)
   * and logs the choice; not cached, so tests can exercise each mode.
   */
  public static Kernels select(String mode) {
    String m = mode == null ? "auto" : mode.trim().toLowerCase(Locale.ROOT);
    switch (m) {
      case "java": {
        Kernels k = new JavaKernels();
        LOG.info("Kernels: {} (forced by -D{}=java)", k.name(), PROPERTY);
        return k;
      }
      case "netlib": {
        NetlibKernels k = new NetlibKernels();
        if (k.isNative()) {
          LOG.info("Kernels: {} (forced by -D{}=netlib)", k.name(), PROPERTY);
        } else {
          LOG.warn("Kernels: {} (forced by -D{}=netlib) but no native BLAS was found:"
              + " this is netlib's pure-Java fallback, far slower than OpenBLAS;"
              + " install libopenblas0-pthread", k.name(), PROPERTY);
        }
        return k;
      }
      case "auto":
      case "":
        return auto();
      default:
        throw new IllegalArgumentException("-D" + PROPERTY + " must be java, netlib or auto, got '"
            + mode + "'");
    }
  }

  private static Kernels auto() {
    BLAS blas;
    try {
      blas = BLAS.getInstance();
    } catch (RuntimeException | LinkageError e) {
      Kernels k = new JavaKernels();
      LOG.warn("Kernels: {} (netlib BLAS failed to load: {})", k.name(), e.toString());
      return k;
    }
    if (NetlibKernels.isNative(blas)) {
      Kernels k = new NetlibKernels(blas);
      LOG.info("Kernels: {} (native BLAS found through libblas.so.3)", k.name());
      return k;
    }
    // netlib's own fallback (Java11BLAS) is single-threaded: GemmBenchmark measured it at
    // 4.5 GFLOP/s against 11-12 for JavaKernels (and ~170 for OpenBLAS) on 2 cores, so ours wins.
    Kernels k = new JavaKernels();
    LOG.warn("Kernels: {} (no native BLAS: netlib offers only {}; install libopenblas0-pthread"
        + " for the native path, an order of magnitude faster)",
        k.name(), blas.getClass().getSimpleName());
    return k;
  }
}
