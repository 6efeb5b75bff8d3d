package org.vidar.math;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The widest fused-multiply-add vector instructions of this CPU, as far as sgemm cares, with the
 * single-core sgemm speed below which a BLAS is certainly not using them. The floors are well under
 * what a fitting OpenBLAS kernel gives (about a third): they catch a Java fallback or a generic
 * kernel, not a busy machine.
 */
public enum VectorIsa {
  /** AVX-512 Foundation: OpenBLAS's SkylakeX and Cooperlake kernels give 120 GFLOP/s a core and more. */
  AVX512F("AVX-512F", 40, "SkylakeX"),
  /** AVX2 with FMA: OpenBLAS's Haswell and Zen kernels give 60 GFLOP/s a core and more. */
  AVX2_FMA("AVX2+FMA", 20, "Haswell"),
  /** Anything older, or a CPU whose flags cannot be read: no expectation. */
  OTHER("no AVX2+FMA", 0, null);

  private final String label;
  private final double floorGflops;
  private final String openBlasCore;

  VectorIsa(String label, double floorGflops, String openBlasCore) {
    this.label = label;
    this.floorGflops = floorGflops;
    this.openBlasCore = openBlasCore;
  }

  /** A short name, for example {@code AVX-512F}. */
  public String label() {
    return label;
  }

  /** Single-core sgemm GFLOP/s below which the BLAS is not using these instructions; 0 for none. */
  public double floorGflops() {
    return floorGflops;
  }

  /** The OPENBLAS_CORETYPE whose kernels use these instructions, or null. */
  public String openBlasCore() {
    return openBlasCore;
  }

  /** This machine's, from the first {@code flags} line of {@code /proc/cpuinfo}; OTHER where it is unreadable. */
  public static VectorIsa detect() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return OTHER;
    }
    try (var lines = Files.lines(cpuinfo)) {
      return lines.filter(l -> l.startsWith("flags")).findFirst()
          .map(l -> fromFlags(l.substring(l.indexOf(':') + 1))).orElse(OTHER);
    } catch (IOException | RuntimeException e) {
      return OTHER;
    }
  }

  /** From a space-separated list of CPU flags as Linux names them ({@code avx2 fma avx512f ...}). */
  public static VectorIsa fromFlags(String flags) {
    Set<String> set = Set.of(flags.trim().split("\\s+"));
    if (set.contains("avx512f")) {
      return AVX512F;
    }
    return set.contains("avx2") && set.contains("fma") ? AVX2_FMA : OTHER;
  }
}
