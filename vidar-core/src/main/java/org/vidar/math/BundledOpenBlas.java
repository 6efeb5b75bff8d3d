package org.vidar.math;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Points netlib at the OpenBLAS shipped in the {@code org.bytedeco:openblas} jar (Linux x86-64), so
 * the native path needs no system package and runs an OpenBLAS recent enough to pick the right
 * kernel for today's CPUs (Debian's 0.3.21 runs generic SSE3 kernels on Sapphire Rapids). It
 * extracts the library and its three runtime dependencies to a per-user cache, loads them, and sets
 * {@value #NATIVE_LIB_PATH}; this must happen before netlib's {@code BLAS.getInstance()} first runs,
 * which loads its native library once per JVM. On any failure it warns and leaves netlib on the
 * system {@code libblas.so.3} (then netlib's pure-Java BLAS).
 *
 * <p>A user's choice wins: nothing is done when one of netlib's {@code nativeLibPath} or
 * {@code nativeLib} properties is set, or with {@code -D}{@value #CHOICE}{@code =system}.
 */
public final class BundledOpenBlas {

  /** System property: {@code bundled} (default) or {@code system} ({@code libblas.so.3} as found by the linker). */
  public static final String CHOICE = "vidar.blas";
  /** netlib's property naming the full path of the native BLAS it loads. */
  public static final String NATIVE_LIB_PATH = "dev.ludovic.netlib.blas.nativeLibPath";
  /** netlib's property naming the native BLAS by file name, searched by the dynamic linker. */
  static final String NATIVE_LIB = "dev.ludovic.netlib.blas.nativeLib";

  /** Where the jar holds the libraries. */
  static final String RESOURCES = "org/bytedeco/openblas/linux-x86_64/";
  private static final String POM_PROPERTIES = "META-INF/maven/org.bytedeco/openblas/pom.properties";
  /** The library netlib loads; the others are its dependencies. */
  static final String OPENBLAS = "libopenblas.so.0";
  /**
   * The libraries in load order, each after the ones it needs. libopenblas finds libgfortran beside
   * it (RUNPATH $ORIGIN), but libgfortran has no RUNPATH: its libquadmath and libgcc_s are found
   * only because they are already loaded and the dynamic linker matches them by soname.
   */
  static final List<String> LIBRARIES =
      List.of("libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5", OPENBLAS);

  private static final Logger LOG = LoggerFactory.getLogger(BundledOpenBlas.class);

  private BundledOpenBlas() {
  }

  /**
   * Sets up the bundled OpenBLAS once per JVM (later calls return the first outcome) and says which
   * library netlib will load. Call before netlib's {@code BLAS.getInstance()} is first touched.
   */
  public static BlasLibrary install() {
    return Holder.LIBRARY;
  }

  /** Lazy holder: extraction and loading happen once, on first use. */
  private static final class Holder {
    static final BlasLibrary LIBRARY = install(System.getProperties(), System.getenv());
  }

  /**
   * Sets up the bundled OpenBLAS for the netlib reading {@code properties} (the system properties,
   * or a stand-in in tests): reads the choice from them and, when the bundled library is used, sets
   * {@value #NATIVE_LIB_PATH} in them. Loads the libraries into this JVM.
   */
  static BlasLibrary install(Properties properties, Map<String, String> env) {
    for (String property : List.of(NATIVE_LIB_PATH, NATIVE_LIB)) {
      String chosen = properties.getProperty(property);
      if (chosen != null) {
        return new BlasLibrary(BlasLibrary.Source.USER, null, "-D" + property + "=" + chosen);
      }
    }
    String choice = properties.getProperty(CHOICE, "bundled").trim().toLowerCase(Locale.ROOT);
    if (choice.equals("system")) {
      return new BlasLibrary(BlasLibrary.Source.SYSTEM, null, null);
    }
    if (!choice.equals("bundled")) {
      LOG.warn("-D{}={} is neither bundled nor system: using bundled", CHOICE, choice);
    }
    if (!isLinuxX8664(properties)) {
      // No bundled build for this platform: the system's libblas.so.3, as before; not worth a warning.
      return new BlasLibrary(BlasLibrary.Source.SYSTEM, null, null);
    }
    try {
      String artifactVersion = artifactVersion();
      Path openblas = extract(cacheDirectories(artifactVersion, properties, env));
      load(openblas.getParent());
      properties.setProperty(NATIVE_LIB_PATH, openblas.toString());
      return new BlasLibrary(BlasLibrary.Source.BUNDLED, openBlasVersion(artifactVersion),
          openblas.toString());
    } catch (IOException | RuntimeException | LinkageError e) {
      LOG.warn("Bundled OpenBLAS not used, falling back to the system libblas.so.3: {}", e.toString());
      return new BlasLibrary(BlasLibrary.Source.SYSTEM, null, null);
    }
  }

  static boolean isLinuxX8664(Properties properties) {
    String os = properties.getProperty("os.name", "");
    String arch = properties.getProperty("os.arch", "");
    return os.equals("Linux") && (arch.equals("amd64") || arch.equals("x86_64"));
  }

  /** The Maven version of the openblas jar on the classpath, for example {@code 0.3.31-1.5.13}. */
  static String artifactVersion() throws IOException {
    URL url = resource(POM_PROPERTIES);
    Properties pom = new Properties();
    try (InputStream in = url.openStream()) {
      pom.load(in);
    }
    String version = pom.getProperty("version");
    if (version == null || version.isBlank()) {
      throw new IOException(url + " names no version");
    }
    return version.trim();
  }

  /** {@code OpenBLAS 0.3.31} for the artifact version {@code 0.3.31-1.5.13} (OpenBLAS, then JavaCPP). */
  static String openBlasVersion(String artifactVersion) {
    int dash = artifactVersion.indexOf('-');
    return "OpenBLAS " + (dash < 0 ? artifactVersion : artifactVersion.substring(0, dash));
  }

  /**
   * Where to extract, best first: {@code $XDG_CACHE_HOME/vidar} or {@code ~/.cache/vidar}, then a
   * per-user folder under {@code java.io.tmpdir} (a Spark executor's home may not exist). Keyed by
   * the artifact version, so two versions never mix files.
   */
  static List<Path> cacheDirectories(String artifactVersion, Properties properties, Map<String, String> env) {
    String key = "openblas-" + artifactVersion;
    List<Path> dirs = new ArrayList<>();
    String xdg = env.get("XDG_CACHE_HOME");
    String home = properties.getProperty("user.home");
    if (xdg != null && xdg.startsWith("/")) {
      dirs.add(Path.of(xdg, "vidar", key));
    } else if (home != null && home.startsWith("/")) {
      dirs.add(Path.of(home, ".cache", "vidar", key));
    }
    String user = properties.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
    dirs.add(Path.of(properties.getProperty("java.io.tmpdir", "/tmp"), "vidar-" + user, key));
    return dirs;
  }

  /** Extracts into the first directory that can be written; the path of libopenblas there. */
  static Path extract(List<Path> directories) throws IOException {
    IOException failure = null;
    for (Path dir : directories) {
      try {
        return extract(dir);
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    throw failure != null ? failure : new IOException("no directory to extract OpenBLAS to");
  }

  /**
   * Extracts the four libraries into {@code dir} and returns the path of libopenblas there. A file
   * already there with the resource's size is kept, so a second run writes nothing. Each file is
   * written under a temporary name and renamed into place, so JVMs extracting at the same time (Spark
   * executors on one machine) never load a half-written file.
   */
  static Path extract(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String name : LIBRARIES) {
      URL url = resource(RESOURCES + name);
      long size = size(url);
      Path target = dir.resolve(name);
      if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) {
        continue;
      }
      Path tmp = Files.createTempFile(dir, name + ".", ".tmp");
      try {
        try (InputStream in = url.openStream()) {
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        if (size >= 0 && Files.size(tmp) != size) {
          throw new IOException("extracting " + url + " to " + tmp + ": wrote " + Files.size(tmp)
              + " bytes of " + size);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return dir.resolve(OPENBLAS);
  }

  /**
   * Loads the libraries of {@code dir} in dependency order. Loading libopenblas here too, rather than
   * leaving it to netlib, turns a library that cannot load into a warning and the system BLAS;
   * netlib would fall back to its pure-Java BLAS without a word.
   */
  private static void load(Path dir) {
    for (String name : LIBRARIES) {
      System.load(dir.resolve(name).toString()); // its error names the file and the linker's reason
    }
  }

  /** The URL of a classpath resource; an exception naming it when the openblas jar is missing. */
  static URL resource(String name) throws IOException {
    ClassLoader loader = BundledOpenBlas.class.getClassLoader();
    URL url = loader == null ? ClassLoader.getSystemResource(name) : loader.getResource(name);
    if (url == null) {
      throw new IOException(name + " is not on the classpath (org.bytedeco:openblas, classifier linux-x86_64)");
    }
    return url;
  }

  /** The resource's size in bytes, read from the jar's directory without inflating it; -1 if unknown. */
  static long size(URL url) throws IOException {
    URLConnection connection = url.openConnection();
    return connection.getContentLengthLong();
  }
}
