package org.vidar.math;

import dev.ludovic.netlib.blas.BLAS;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link Kernels} implementation once per JVM and logs, in one line, which one, on which
 * BLAS library and OpenBLAS core, and why: netlib when it reaches a native BLAS (the bundled
 * OpenBLAS, see {@link BundledOpenBlas}, or the system's {@code libblas.so.3}), the plain-Java
 * kernels otherwise. The system property {@code vidar.kernels=java|netlib|auto} forces a choice.
 */
public final class KernelProvider {

  /** System property that forces an implementation: {@code java}, {@code netlib} or {@code auto}. */
  public static final String PROPERTY = "vidar.kernels";

  private static final Logger LOG = LoggerFactory.getLogger(KernelProvider.class);

  /** What to do without a native BLAS; BundledOpenBlas's warning says why the bundled one was not used. */
  private static final String NO_NATIVE_ADVICE = "OpenBLAS is bundled for Linux x86-64 only; elsewhere"
      + " install it as the system libblas.so.3 for the native path, an order of magnitude faster";

  private KernelProvider() {
  }

  /** The kernels of this JVM, chosen on first use from {@value #PROPERTY} (default auto). */
  public static Kernels get() {
    return Holder.INSTANCE.kernels();
  }

  /**
   * What computes behind {@link #get()}: the native library and its version (for example
   * {@code bundled OpenBLAS 0.3.31 from Maven}), or which Java fallback.
   */
  public static String library() {
    return Holder.INSTANCE.library();
  }

  /**
   * The OpenBLAS core type: {@code OPENBLAS_CORETYPE} when set (OpenBLAS reads it once, when it
   * loads), otherwise {@code auto}, OpenBLAS's own choice from the CPU's model.
   */
  public static String coreType() {
    String core = System.getenv("OPENBLAS_CORETYPE");
    return core == null || core.isBlank() ? "auto" : core.trim();
  }

  /** Kernels and a description of the library behind them. */
  private record Choice(Kernels kernels, String library) {
  }

  /** Lazy holder: the choice (and netlib's native library probe) happens once, on first use. */
  private static final class Holder {
    static final Choice INSTANCE = choose(System.getProperty(PROPERTY, "auto"));
  }

  /**
   * Chooses kernels for {@code mode} ({@code java}, {@code netlib} or {@code auto}, any case)
   * and logs the choice; not cached, so tests can exercise each mode.
   */
  public static Kernels select(String mode) {
    return choose(mode).kernels();
  }

  private static Choice choose(String mode) {
    String m = mode == null ? "auto" : mode.trim().toLowerCase(Locale.ROOT);
    switch (m) {
      case "java": {
        Kernels k = new JavaKernels();
        LOG.info("Kernels: {} (forced by -D{}=java)", k.name(), PROPERTY);
        return new Choice(k, "none, plain-Java kernels (-D" + PROPERTY + "=java)");
      }
      case "netlib":
        return netlib(NetlibKernels.defaultBlas(), " (forced by -D" + PROPERTY + "=netlib)");
      case "auto":
      case "":
        return auto();
      default:
        throw new IllegalArgumentException("-D" + PROPERTY + " must be java, netlib or auto, got '"
            + mode + "'");
    }
  }

  private static Choice auto() {
    BLAS blas;
    try {
      blas = NetlibKernels.defaultBlas();
    } catch (RuntimeException | LinkageError e) {
      Kernels k = new JavaKernels();
      LOG.warn("Kernels: {} (netlib BLAS failed to load: {})", k.name(), e.toString());
      return new Choice(k, "Java fallback, plain-Java kernels (netlib failed to load)");
    }
    if (NetlibKernels.isNative(blas)) {
      return netlib(blas, "");
    }
    // netlib's own fallback (Java11BLAS) is single-threaded: GemmBenchmark measured it at
    // 4.5 GFLOP/s against 11-12 for JavaKernels (and ~170 for OpenBLAS) on 2 cores, so ours wins.
    Kernels k = new JavaKernels();
    LOG.warn("Kernels: {}, Java fallback (no native BLAS: netlib offers only {}); {}",
        k.name(), blas.getClass().getSimpleName(), NO_NATIVE_ADVICE);
    return new Choice(k, "Java fallback, plain-Java kernels");
  }

  private static Choice netlib(BLAS blas, String forced) {
    NetlibKernels k = new NetlibKernels(blas);
    String backend = "netlib:" + blas.getClass().getSimpleName();
    if (!k.isNative()) {
      LOG.warn("Kernels: {}{}, Java fallback (no native BLAS, far slower than OpenBLAS); {}",
          backend, forced, NO_NATIVE_ADVICE);
      return new Choice(k, "Java fallback, netlib's " + blas.getClass().getSimpleName());
    }
    String library = BundledOpenBlas.install().withLoadedVersion().describe();
    LOG.info("Kernels: {} on {}, core {}{}", backend, library, coreType(), forced);
    return new Choice(k, library);
  }
}
