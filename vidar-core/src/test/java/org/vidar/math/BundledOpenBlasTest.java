package org.vidar.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.blas.BLAS;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled OpenBLAS: extraction, respect for a user's choice, and, on Linux x86-64, that the
 * JVM's kernels end up on it rather than on the system's libblas.so.3.
 */
class BundledOpenBlasTest {

  @TempDir Path tmp;

  @Test
  void extractionWritesTheFourLibrariesWithTheirResourceSizesAndIsIdempotent() throws IOException {
    Path dir = tmp.resolve("cache");
    Path openblas = BundledOpenBlas.extract(dir);
    assertEquals(dir.resolve("libopenblas.so.0"), openblas);
    assertEquals(List.of("libgcc_s.so.1", "libgfortran.so.5", "libopenblas.so.0", "libquadmath.so.0"),
        listing(dir), "the four libraries and no temporary file");
    Map<String, FileTime> written = new HashMap<>();
    for (String name : BundledOpenBlas.LIBRARIES) {
      long size = BundledOpenBlas.size(BundledOpenBlas.resource(BundledOpenBlas.RESOURCES + name));
      assertTrue(size > 100_000, name + " resource size " + size);
      assertEquals(size, Files.size(dir.resolve(name)), name);
      written.put(name, Files.getLastModifiedTime(dir.resolve(name)));
    }
    // The ELF magic: a real shared library, not an error page or a pointer file.
    byte[] head = Files.readAllBytes(openblas);
    assertEquals(0x7f, head[0]);
    assertEquals("ELF", new String(head, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));

    // A second run keeps every file (same modification time) and leaves no temporary file behind.
    assertEquals(openblas, BundledOpenBlas.extract(dir));
    for (String name : BundledOpenBlas.LIBRARIES) {
      assertEquals(written.get(name), Files.getLastModifiedTime(dir.resolve(name)), name + " rewritten");
    }
    assertEquals(4, listing(dir).size(), () -> "files: " + listing(dir));

    // A file of the wrong size (a copy cut short by a crash before this version) is written again.
    Path gfortran = dir.resolve("libgfortran.so.5");
    long full = Files.size(gfortran);
    Files.write(gfortran, new byte[10]);
    BundledOpenBlas.extract(dir);
    assertEquals(full, Files.size(gfortran));
  }

  @Test
  void extractionFallsBackToTheNextDirectoryWhenOneCannotBeWritten() throws IOException {
    Path notADirectory = Files.writeString(tmp.resolve("file"), "x");
    Path good = tmp.resolve("good");
    Path openblas = BundledOpenBlas.extract(List.of(notADirectory.resolve("cache"), good));
    assertEquals(good.resolve("libopenblas.so.0"), openblas);
    assertTrue(Files.isRegularFile(openblas));
  }

  @Test
  void cacheDirectoriesArePerUserAndKeyedByVersion() {
    Properties p = linux();
    p.setProperty("user.home", "/home/ann");
    p.setProperty("user.name", "ann");
    p.setProperty("java.io.tmpdir", "/tmp");
    assertEquals(List.of(Path.of("/home/ann/.cache/vidar/openblas-0.3.31-1.5.13"),
        Path.of("/tmp/vidar-ann/openblas-0.3.31-1.5.13")),
        BundledOpenBlas.cacheDirectories("0.3.31-1.5.13", p, Map.of()));
    assertEquals(Path.of("/xdg/vidar/openblas-1"),
        BundledOpenBlas.cacheDirectories("1", p, Map.of("XDG_CACHE_HOME", "/xdg")).get(0));
    assertEquals("OpenBLAS 0.3.31", BundledOpenBlas.openBlasVersion("0.3.31-1.5.13"));
  }

  @Test
  void aUsersChoiceChangesNothing() {
    for (String property : List.of(BundledOpenBlas.NATIVE_LIB_PATH, BundledOpenBlas.NATIVE_LIB)) {
      Properties p = linux();
      p.setProperty(property, "/opt/blas/libmyblas.so");
      Properties before = (Properties) p.clone();
      BlasLibrary library = BundledOpenBlas.install(p, Map.of());
      assertEquals(before, p, property);
      assertEquals(BlasLibrary.Source.USER, library.source());
      assertEquals("-D" + property + "=/opt/blas/libmyblas.so", library.describe());
      assertFalse(Files.exists(tmp.resolve(".cache")), "nothing extracted");
    }
    Properties system = linux();
    system.setProperty(BundledOpenBlas.CHOICE, " System ");
    Properties before = (Properties) system.clone();
    BlasLibrary library = BundledOpenBlas.install(system, Map.of());
    assertEquals(before, system);
    assertEquals(BlasLibrary.Source.SYSTEM, library.source());
    assertEquals("system libblas.so.3", library.describe());
    assertFalse(Files.exists(tmp.resolve(".cache")), "nothing extracted");
  }

  @Test
  void anotherPlatformIsLeftToTheSystemBlas() {
    Properties mac = linux();
    mac.setProperty("os.name", "Mac OS X");
    mac.setProperty("os.arch", "aarch64");
    Properties before = (Properties) mac.clone();
    assertEquals(BlasLibrary.Source.SYSTEM, BundledOpenBlas.install(mac, Map.of()).source());
    assertEquals(before, mac);
    assertFalse(BundledOpenBlas.isLinuxX8664(mac));
  }

  @Test
  void theVersionOfASystemOpenBlasIsReadFromTheMappedFiles() throws IOException {
    Path maps = Files.writeString(tmp.resolve("maps"),
        "7f0000000000-7f0000001000 r--p 00000000 08:01 1 /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3\n"
        + "7f0000002000-7f0000003000 r-xp 00000000 08:01 2 "
        + "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so\n");
    assertEquals("OpenBLAS 0.3.21", BlasLibrary.loadedOpenBlasVersion(maps));
    assertNull(BlasLibrary.loadedOpenBlasVersion(Files.writeString(tmp.resolve("none"), "7f-7f r-xp /lib/libc.so.6\n")));
    assertEquals("system libblas.so.3 (OpenBLAS 0.3.21)",
        new BlasLibrary(BlasLibrary.Source.SYSTEM, "OpenBLAS 0.3.21", null).describe());
    assertEquals("bundled OpenBLAS 0.3.31 from Maven",
        new BlasLibrary(BlasLibrary.Source.BUNDLED, "OpenBLAS 0.3.31", "/x/libopenblas.so.0").describe());
  }

  /**
   * On this platform the JVM's kernels run on native netlib, and the library in the process is the
   * extracted OpenBLAS: neither the system's libblas.so.3 nor Debian's OpenBLAS file is mapped.
   */
  @Test
  @EnabledOnOs(OS.LINUX)
  @EnabledIfSystemProperty(named = "os.arch", matches = "amd64|x86_64")
  void onLinuxX8664TheKernelsRunOnTheExtractedOpenBlas() throws IOException {
    Kernels kernels = KernelProvider.get();
    assertTrue(kernels instanceof NetlibKernels, kernels.name());
    assertTrue(((NetlibKernels) kernels).isNative(), kernels.name());
    assertEquals("dev.ludovic.netlib.blas.JNIBLAS", BLAS.getInstance().getClass().getName());

    BlasLibrary library = BundledOpenBlas.install();
    assertEquals(BlasLibrary.Source.BUNDLED, library.source(), library.describe());
    assertEquals("OpenBLAS 0.3.31", library.version());
    assertEquals(library.location(), System.getProperty(BundledOpenBlas.NATIVE_LIB_PATH));
    assertTrue(KernelProvider.library().startsWith("bundled OpenBLAS 0.3.31"), KernelProvider.library());

    // A product through the kernels, so the library is not only loaded but used.
    float[] a = {1, 2, 3, 4};
    float[] b = {5, 6, 7, 8};
    float[] c = new float[4];
    kernels.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
    assertEquals(List.of(19f, 22f, 43f, 50f), List.of(c[0], c[1], c[2], c[3]));

    String maps = Files.readString(Path.of("/proc/self/maps"));
    assertTrue(maps.contains(library.location()), "extracted OpenBLAS not mapped: " + library.location());
    Path dir = Path.of(library.location()).getParent();
    for (String name : BundledOpenBlas.LIBRARIES) {
      assertTrue(maps.contains(dir.resolve(name).toString()), name + " not loaded from " + dir);
    }
    assertFalse(maps.contains("/libblas.so.3"), "the system libblas.so.3 is mapped too");
    assertFalse(maps.matches("(?s).*/libopenblas\\w*-r[0-9.]+\\.so.*"), "a system OpenBLAS is mapped too");
  }

  private static Properties linux() {
    Properties p = new Properties();
    p.setProperty("os.name", "Linux");
    p.setProperty("os.arch", "amd64");
    return p;
  }

  private List<String> listing(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
