package org.vidar.math;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The native library netlib is told to load: the OpenBLAS bundled through Maven, one a user named,
 * or the system's {@code libblas.so.3}. Named in the start-up line and {@code vidar inspect --system},
 * because OpenBLAS versions differ in which CPUs they know, hence in speed and in the floats they give.
 *
 * @param source where the library comes from
 * @param version its version ({@code OpenBLAS 0.3.31}), or null where unknown
 * @param location the file or the netlib setting that names it, or null for the system default
 */
public record BlasLibrary(Source source, String version, String location) {

  /** Where the library comes from. */
  public enum Source {
    /** The OpenBLAS of the {@code org.bytedeco:openblas} jar, extracted by {@link BundledOpenBlas}. */
    BUNDLED,
    /** A library the user chose with one of netlib's {@code dev.ludovic.netlib.blas.nativeLib*} properties. */
    USER,
    /** Whatever the dynamic linker finds as {@code libblas.so.3}, netlib's default. */
    SYSTEM
  }

  /** Debian and OpenBLAS's own install name the real file {@code libopenblas[p|o]-r0.3.21.so}. */
  private static final Pattern OPENBLAS_FILE = Pattern.compile("/libopenblas\\w*-r(\\d+(?:\\.\\d+)+)\\.so");

  public BlasLibrary {
    Objects.requireNonNull(source, "source");
  }

  /** A short description for one log line, for example {@code bundled OpenBLAS 0.3.31 from Maven}. */
  public String describe() {
    String v = version == null ? "" : " (" + version + ")";
    switch (source) {
      case BUNDLED:
        return "bundled " + (version == null ? "OpenBLAS" : version) + " from Maven";
      case USER:
        return location + v;
      default:
        return "system libblas.so.3" + v;
    }
  }

  /**
   * This library with its version filled in, where unknown, from the files mapped into this process
   * (Linux only): call it after netlib has loaded the library.
   */
  public BlasLibrary withLoadedVersion() {
    if (version != null) {
      return this;
    }
    String found = loadedOpenBlasVersion(Path.of("/proc/self/maps"));
    return found == null ? this : new BlasLibrary(source, found, location);
  }

  /** The version of the first versioned OpenBLAS file in a {@code /proc/PID/maps} listing, or null. */
  static String loadedOpenBlasVersion(Path maps) {
    if (!Files.isReadable(maps)) {
      return null;
    }
    try {
      Matcher m = OPENBLAS_FILE.matcher(Files.readString(maps));
      return m.find() ? "OpenBLAS " + m.group(1) : null;
    } catch (IOException | RuntimeException e) {
      return null; // the version is a detail of a log line, not worth a failure
    }
  }
}
