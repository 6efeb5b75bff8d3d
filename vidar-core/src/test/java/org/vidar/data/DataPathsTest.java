package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPathsTest {
  private static final FeatureSpec SPEC = FeatureSpec.youtube8mVideo(FeatureSpec.YT8M_2018_CLASSES);

  @TempDir
  Path tmp;

  private Path data;

  private static byte[][] videos(String prefix, int n) {
    byte[][] out = new byte[n][];
    for (int i = 0; i < n; i++) {
      out[i] = Fixtures.goodVideo(prefix + i, prefix.hashCode() + i);
    }
    return out;
  }

  @BeforeEach
  void layout() throws IOException {
    data = tmp.resolve("data");
    Fixtures.writeTfRecord(data.resolve("train01.tfrecord"), videos("t1-", 2));
    Fixtures.writeTfRecord(data.resolve("train00.tfrecord"), videos("t0-", 3));
    Fixtures.writeTfRecord(data.resolve("validate00.tfrecord"), videos("v0-", 1));
    Fixtures.writeTfRecord(data.resolve("sub/train02.tfrecord"), videos("t2-", 1));
    Fixtures.writeTfRecord(data.resolve("sub/deeper/test.tfrecords"), videos("x-", 1));
    Fixtures.writeTfRecord(data.resolve(".hidden.tfrecord"), videos("h-", 1));
    Fixtures.writeTfRecord(data.resolve("_partial.tfrecord"), videos("p-", 1));
    Files.write(data.resolve("_SUCCESS"), new byte[0]);
    Files.writeString(data.resolve("notes.txt"), "not data");
    Files.writeString(data.resolve("sub/README"), "not data either");
  }

  private static List<String> names(List<InputFile> files) {
    return files.stream().map(InputFile::name).toList();
  }

  private List<String> abs(String... relative) {
    return Stream.of(relative).map(r -> data.resolve(r).toString()).toList();
  }

  private static List<VideoRecord> read(List<InputFile> files) throws IOException {
    try (VideoReader r = new VideoReader(files, SPEC, BadRecordPolicy.FAIL)) {
      return Fixtures.readAll(r);
    }
  }

  @Test
  void aSingleFile() throws IOException {
    Path f = data.resolve("train00.tfrecord");
    List<InputFile> files = DataPaths.resolve(List.of(f.toString()));
    assertEquals(List.of(f.toString()), names(files));
    assertEquals(Files.size(f), files.get(0).length());
    try (InputStream in = files.get(0).open()) {
      assertArrayEquals(Files.readAllBytes(f), in.readAllBytes());
    }
    assertEquals(List.of("t0-0", "t0-1", "t0-2"), Fixtures.ids(read(files)));
  }

  @Test
  void aDirectoryMeansItsTfRecordFilesRecursivelySorted() throws IOException {
    assertEquals(abs("sub/deeper/test.tfrecords", "sub/train02.tfrecord", "train00.tfrecord",
        "train01.tfrecord", "validate00.tfrecord"), names(DataPaths.resolve(List.of(data.toString()))));
  }

  /** Spark and Hadoop jobs keep unfinished output under _temporary/ (and similar hidden directories). */
  @Test
  void filesInsideHiddenDirectoriesAreSkipped() throws IOException {
    Fixtures.writeTfRecord(data.resolve("_temporary/0/part-00000.tfrecord"), videos("tmp-", 1));
    Fixtures.writeTfRecord(data.resolve(".staging/part-00001.tfrecord"), videos("stg-", 1));
    assertEquals(abs("sub/deeper/test.tfrecords", "sub/train02.tfrecord", "train00.tfrecord",
        "train01.tfrecord", "validate00.tfrecord"), names(DataPaths.resolve(List.of(data.toString()))));
  }

  @Test
  void aGlob() throws IOException {
    assertEquals(abs("train00.tfrecord", "train01.tfrecord"),
        names(DataPaths.resolve(List.of(data + "/train*.tfrecord"))));
    assertEquals(abs("train00.tfrecord", "train01.tfrecord"),
        names(DataPaths.resolve(List.of(data + "/train0?.tfrecord"))));
    assertEquals(abs("sub/train02.tfrecord"),
        names(DataPaths.resolve(List.of(data + "/*/train*.tfrecord"))));
    List<InputFile> both = DataPaths.resolve(List.of(data + "/{train01,validate00}.tfrecord"));
    assertEquals(abs("train01.tfrecord", "validate00.tfrecord"), names(both));
    assertEquals(List.of("t1-0", "t1-1", "v0-0"), Fixtures.ids(read(both)));
  }

  /**
   * Data linked in from elsewhere: a glob over a symbolic link to a folder, a folder holding links
   * to a folder and to a file, and a link back up the tree (entered once, not forever).
   */
  @Test
  void globsAndDirectoriesFollowSymbolicLinks() throws IOException {
    Path link = Files.createSymbolicLink(tmp.resolve("link"), data);
    assertEquals(List.of(link + "/train00.tfrecord", link + "/train01.tfrecord"),
        names(DataPaths.resolve(List.of(link + "/train*.tfrecord"))));
    assertEquals(List.of("t0-0", "t0-1", "t0-2", "t1-0", "t1-1"),
        Fixtures.ids(read(DataPaths.resolve(List.of(link + "/train*.tfrecord")))));
    assertEquals(5, DataPaths.resolve(List.of(link.toString())).size(), "the linked folder as a directory input");

    Path elsewhere = tmp.resolve("elsewhere");
    Fixtures.writeTfRecord(elsewhere.resolve("train03.tfrecord"), videos("t3-", 1));
    Path mixed = tmp.resolve("mixed");
    Files.createDirectories(mixed);
    Files.createSymbolicLink(mixed.resolve("linked-folder"), elsewhere);
    Files.createSymbolicLink(mixed.resolve("train04.tfrecord"), data.resolve("train00.tfrecord"));
    Files.createSymbolicLink(mixed.resolve("back-up"), mixed);
    Files.createSymbolicLink(mixed.resolve("gone.tfrecord"), tmp.resolve("no-such-file"));
    assertEquals(List.of(mixed + "/linked-folder/train03.tfrecord", mixed + "/train04.tfrecord"),
        names(DataPaths.resolve(List.of(mixed.toString()))));
    assertEquals(List.of(mixed + "/linked-folder/train03.tfrecord"),
        names(DataPaths.resolve(List.of(mixed + "/*/train*.tfrecord"))));
  }

  @Test
  void duplicatesAreRemovedKeepingFirstOccurrenceOrder() throws IOException {
    List<InputFile> files = DataPaths.resolve(List.of(
        data.resolve("validate00.tfrecord").toString(),
        data.toString(),
        data + "/train*.tfrecord",
        data.resolve("train00.tfrecord").toString()));
    assertEquals(abs("validate00.tfrecord", "sub/deeper/test.tfrecords", "sub/train02.tfrecord",
        "train00.tfrecord", "train01.tfrecord"), names(files));
  }

  /** A relative directory and a relative glob name the same files: they must not be read twice. */
  @Test
  void duplicatesAreRemovedAcrossSpellingsOfOnePath() throws IOException {
    String relative = Paths.get("").toAbsolutePath().relativize(data).toString();
    List<InputFile> files = DataPaths.resolve(List.of(relative, relative + "/train*.tfrecord",
        data + "/./train00.tfrecord"));
    assertEquals(5, files.size(), names(files).toString());
    assertEquals(8, read(files).size(), "each video once");
  }

  @Test
  void aMissingPathIsNamed() {
    String missing = data.resolve("nope.tfrecord").toString();
    FileNotFoundException e = assertThrows(FileNotFoundException.class,
        () -> DataPaths.resolve(List.of(data.resolve("train00.tfrecord").toString(), missing)));
    assertTrue(e.getMessage().contains(missing), e.getMessage());

    String glob = data + "/test*.tfrecord";
    e = assertThrows(FileNotFoundException.class, () -> DataPaths.resolve(List.of(glob)));
    assertTrue(e.getMessage().contains(glob), e.getMessage());

    String globInMissingDir = tmp + "/absent/*.tfrecord";
    e = assertThrows(FileNotFoundException.class, () -> DataPaths.resolve(List.of(globInMissingDir)));
    assertTrue(e.getMessage().contains(globInMissingDir), e.getMessage());
  }

  @Test
  void aDirectoryWithoutDataFilesIsAnError() throws IOException {
    Path empty = tmp.resolve("empty");
    Files.createDirectories(empty);
    Files.write(empty.resolve("_SUCCESS"), new byte[0]);
    Fixtures.writeTfRecord(empty.resolve(".only-hidden.tfrecord"), videos("h-", 1));
    FileNotFoundException e = assertThrows(FileNotFoundException.class,
        () -> DataPaths.resolve(List.of(empty.toString())));
    assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
  }

  @Test
  void aFileUriGoesThroughHadoopAndReadsTheSameRecords() throws IOException {
    Path f = data.resolve("train00.tfrecord");
    List<InputFile> plain = DataPaths.resolve(List.of(f.toString()));
    List<InputFile> viaHadoop = DataPaths.resolve(List.of(f.toUri().toString()));
    assertTrue(f.toUri().toString().startsWith("file:/"), f.toUri().toString());
    assertEquals(1, viaHadoop.size());
    assertTrue(viaHadoop.get(0).name().startsWith("file:"), viaHadoop.get(0).name());
    assertTrue(viaHadoop.get(0).name().endsWith(f.toString()), viaHadoop.get(0).name());
    assertEquals(Files.size(f), viaHadoop.get(0).length());
    List<VideoRecord> expected = read(plain);
    assertEquals(3, expected.size());
    assertEquals(expected, read(viaHadoop));
  }

  @Test
  void aFileUriDirectoryAndGlob() throws IOException {
    String dirUri = "file://" + data;
    List<String> viaHadoop = names(DataPaths.resolve(List.of(dirUri))).stream()
        .map(n -> n.substring("file:".length())).toList();
    assertEquals(abs("sub/deeper/test.tfrecords", "sub/train02.tfrecord", "train00.tfrecord",
        "train01.tfrecord", "validate00.tfrecord"), viaHadoop);
    List<String> globbed = names(DataPaths.resolve(List.of(dirUri + "/train*.tfrecord"))).stream()
        .map(n -> n.substring("file:".length())).toList();
    assertEquals(abs("train00.tfrecord", "train01.tfrecord"), globbed);
    FileNotFoundException e = assertThrows(FileNotFoundException.class,
        () -> DataPaths.resolve(List.of(dirUri + "/missing.tfrecord")));
    assertTrue(e.getMessage().contains(dirUri + "/missing.tfrecord"), e.getMessage());
  }

  @Test
  void gzipFilesAreReadTransparently() throws IOException {
    byte[][] payloads = videos("gz-", 4);
    Path gz = tmp.resolve("packed/train00.tfrecord.gz");
    Files.createDirectories(gz.getParent());
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      Fixtures.writeTfRecord(out, payloads);
    }
    Path plain = Fixtures.writeTfRecord(tmp.resolve("plain/train00.tfrecord"), payloads);
    assertFalse(java.util.Arrays.equals(Files.readAllBytes(gz), Files.readAllBytes(plain)));

    List<InputFile> files = DataPaths.resolve(List.of(gz.getParent().toString()));
    assertEquals(List.of(gz.toString()), names(files));
    assertEquals(Files.size(gz), files.get(0).length(), "stored (compressed) size");
    List<VideoRecord> expected = read(DataPaths.resolve(List.of(plain.toString())));
    try (VideoReader r = new VideoReader(files, SPEC, BadRecordPolicy.FAIL)) {
      assertEquals(expected, Fixtures.readAll(r));
      assertEquals(Files.size(plain), r.bytesRead(), "uncompressed bytes");
    }
    assertEquals(expected, read(DataPaths.resolve(List.of(gz.toUri().toString()))));
    try (InputStream in = DataPaths.open(gz.toString())) {
      assertArrayEquals(Files.readAllBytes(plain), in.readAllBytes());
    }
  }

  // ---- atomic outputs ----

  private static List<String> listing(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static byte[] framed(byte[]... payloads) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Fixtures.writeTfRecord(out, payloads);
    return out.toByteArray();
  }

  private void checkAtomic(String location, Path target) throws IOException {
    Path dir = target.getParent();
    byte[][] payloads = videos("out-", 2);
    try (AtomicOutput out = DataPaths.createAtomic(location)) {
      assertEquals(location, out.location());
      TfRecordWriter w = new TfRecordWriter(out.stream());
      for (byte[] p : payloads) {
        w.write(p);
      }
      w.flush();
      assertFalse(Files.exists(target), "nothing under the final name before commit");
      List<String> during = listing(dir);
      assertEquals(1, during.size(), during.toString());
      assertTrue(during.get(0).startsWith("."), "the temporary file is hidden: " + during);
      assertThrows(FileNotFoundException.class, () -> DataPaths.resolve(List.of(dir.toString())),
          "a reader of the directory does not see the unfinished file");
      out.commit();
      assertThrows(IllegalStateException.class, out::commit);
    }
    assertEquals(List.of(target.getFileName().toString()), listing(dir), "no temporary file left");
    assertArrayEquals(framed(payloads), Files.readAllBytes(target));
    assertTrue(DataPaths.exists(location));

    // a second output to the same name, closed without commit: the committed file stays as it was
    try (AtomicOutput out = DataPaths.createAtomic(location)) {
      out.stream().write(new byte[] {1, 2, 3});
    }
    assertEquals(List.of(target.getFileName().toString()), listing(dir));
    assertArrayEquals(framed(payloads), Files.readAllBytes(target));

    // a third one, committed, replaces it
    try (AtomicOutput out = DataPaths.createAtomic(location)) {
      out.stream().write(new byte[] {4, 5});
      out.commit();
    }
    assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(target));
    assertEquals(List.of(target.getFileName().toString()), listing(dir));
  }

  @Test
  void createAtomicLocal() throws IOException {
    Path target = tmp.resolve("out/a/part-00000.tfrecord");
    checkAtomic(target.toString(), target);
  }

  @Test
  void createAtomicThroughHadoop() throws IOException {
    Path target = tmp.resolve("hout/part-00000.tfrecord");
    checkAtomic(target.toUri().toString(), target);
  }

  @Test
  void closeWithoutCommitLeavesNothing() throws IOException {
    for (Path target : List.of(tmp.resolve("gone/x.tfrecord"), tmp.resolve("hgone/x.tfrecord"))) {
      String location = target.startsWith(tmp.resolve("hgone")) ? target.toUri().toString() : target.toString();
      try (AtomicOutput out = DataPaths.createAtomic(location)) {
        out.stream().write(new byte[100]);
        out.stream().flush();
        assertEquals(1, listing(target.getParent()).size());
      }
      assertFalse(Files.exists(target));
      assertEquals(List.of(), listing(target.getParent()), "no file and no temporary file");
      assertFalse(DataPaths.exists(location));
    }
  }

  /**
   * A killed run leaves its temporary files and folders ({@code .NAME.UUID.tmp}); the next run
   * removes those of the names it writes, and nothing else: not other names' temporaries, not
   * files that merely look alike.
   */
  @Test
  void removeTemporariesTakesOnlyThoseOfTheNamesGiven() throws IOException {
    for (boolean uri : new boolean[] {false, true}) {
      Path dir = tmp.resolve(uri ? "left-uri" : "left-local");
      Files.createDirectories(dir);
      String csv = DataPaths.temporaryName("preds.csv");
      String stage = DataPaths.temporaryName("stage-001");
      Files.write(dir.resolve(csv), new byte[] {1});
      Files.createDirectories(dir.resolve(stage));
      Files.write(dir.resolve(stage).resolve("model.json"), new byte[] {2});
      List<String> kept = List.of(DataPaths.temporaryName("other.csv"), ".preds.csv.tmp", "preds.csv",
          "preds.csv." + java.util.UUID.randomUUID() + ".tmp", ".preds.csv." + java.util.UUID.randomUUID() + ".tmp.bak",
          ".xpreds.csv." + java.util.UUID.randomUUID() + ".tmp", "notes.tmp");
      for (String k : kept) {
        Files.write(dir.resolve(k), new byte[] {3});
      }
      String location = uri ? dir.toUri().toString() : dir.toString();
      List<String> removed = DataPaths.removeTemporaries(location,
          java.util.regex.Pattern.compile(java.util.regex.Pattern.quote("preds.csv") + "|stage-\\d{3}"));
      assertEquals(2, removed.size(), removed.toString());
      assertTrue(removed.stream().anyMatch(r -> r.endsWith(csv)) && removed.stream().anyMatch(r -> r.endsWith(stage)),
          removed.toString());
      assertEquals(kept.stream().sorted().toList(), listing(dir), "nothing else is touched");
      assertEquals(List.of(), DataPaths.removeTemporaries(tmp.resolve("absent").toString(),
          java.util.regex.Pattern.compile("x")), "a folder that is not there holds none");
    }
  }

  /** A folder to write in is created, and one that cannot be is named with what is in the way. */
  @Test
  void prepareDirectoryCreatesItOrNamesWhatIsInTheWay() throws IOException {
    Path deep = tmp.resolve("made/a/b");
    DataPaths.prepareDirectory(deep.toString());
    assertTrue(Files.isDirectory(deep));
    assertEquals(List.of(), listing(deep), "the probe file is gone");
    DataPaths.prepareDirectory(tmp.resolve("made-uri/c").toUri().toString());
    assertTrue(Files.isDirectory(tmp.resolve("made-uri/c")));

    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    IOException e = assertThrows(IOException.class, () -> DataPaths.prepareDirectory(file.resolve("model").toString()));
    assertTrue(e.getMessage().contains(file + " is a file, not a directory"), e.getMessage());
    e = assertThrows(IOException.class, () -> DataPaths.prepareDirectory(file.toString()));
    assertTrue(e.getMessage().contains("is a file"), e.getMessage());
    e = assertThrows(IOException.class, () -> DataPaths.prepareDirectory(file.toUri().toString()));
    assertTrue(e.getMessage().contains("is a file"), e.getMessage());
  }

  @Test
  void uriDetectionAndJoin() {
    assertTrue(DataPaths.isUri("file:///tmp/x"));
    assertTrue(DataPaths.isUri("hdfs://namenode:8020/data"));
    assertTrue(DataPaths.isUri("s3a://bucket/key"));
    assertFalse(DataPaths.isUri("/tmp/x"));
    assertFalse(DataPaths.isUri("relative/dir"));
    assertFalse(DataPaths.isUri("C:\\data\\train"));
    assertEquals("/a/b/c.tfrecord", DataPaths.join("/a/b", "c.tfrecord"));
    assertEquals("hdfs://nn:8020/a/b/c.tfrecord", DataPaths.join("hdfs://nn:8020/a/b", "c.tfrecord"));
  }

  /** A directory tree goes entirely, as a local path and as a file:// URI; a missing one is no error. */
  @Test
  void deleteRecursivelyRemovesATreeAndIgnoresWhatIsNotThere() throws IOException {
    for (boolean uri : new boolean[] {false, true}) {
      Path root = tmp.resolve(uri ? "work-uri" : "work-local");
      Files.createDirectories(root.resolve("a/b"));
      Files.write(root.resolve("a/b/part-00000.bin"), new byte[] {1, 2, 3});
      Files.write(root.resolve("a/top.csv"), new byte[] {4});
      Files.write(root.resolve(".hidden.tmp"), new byte[0]);
      Path sibling = Files.write(tmp.resolve(uri ? "keep-uri.txt" : "keep-local.txt"), new byte[] {5});
      String location = uri ? root.toUri().toString() : root.toString();
      DataPaths.deleteRecursively(location);
      assertFalse(Files.exists(root), location);
      assertTrue(Files.exists(sibling), "only the named tree is deleted");
      DataPaths.deleteRecursively(location); // already gone
      assertFalse(Files.exists(root), location);
    }
  }
}
