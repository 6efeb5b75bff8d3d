package org.vidar.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.ExampleCodec;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.data.TfRecordWriter;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;

/** Joining prediction CSVs to labelled TFRecords, on a hand-worked case. */
class PredictionScoringTest {
  private static final int CLASSES = 5;
  private static final FeatureSpec SPEC = new FeatureSpec(FeatureSpec.Level.VIDEO, List.of("id"), "labels",
      List.of(new FeatureField("f", 2)), CLASSES, FeatureSpec.YT8M_MAX_FRAMES);

  @TempDir Path tmp;

  /** v1 {0, 2}, v2 {1}, v3 {3}. */
  private LabelTable threeVideos() throws IOException {
    Path file = write(tmp.resolve("labels.tfrecord"),
        video("v1", 0, 2), video("v2", 1), video("v3", 3));
    return read(file);
  }

  @Test
  void joinsByIdCountsMissingAndUnknownAndScoresLikeTheEvaluator() throws IOException {
    LabelTable labels = threeVideos();
    assertEquals(3, labels.size());
    assertEquals(1, labels.indexOf("v2"));
    assertEquals(-1, labels.indexOf("nope"));

    String csv = """
        VideoId,LabelConfidencePairs
        v1,1 0.5 0 0.9 2 0.3
        zz,0 0.8
        v2,1 0.7 4 0.6
        yy,4 0.1
        """;
    PredictionScoring scoring = new PredictionScoring(labels, CLASSES, 20);
    try (PredictionCsvReader r = new PredictionCsvReader(new StringReader(csv), "p.csv", CLASSES)) {
      scoring.add(r);
    }
    PredictionScoring.Result result = scoring.finish();
    assertEquals(2, result.predicted());
    assertEquals(1, result.missing());
    assertEquals(2, result.unknownIds());
    assertEquals("zz", result.firstUnknownId());

    // The same rankings fed by hand, with v3 (missing) as an empty ranking.
    YouTube8mEvaluator expected = new YouTube8mEvaluator(CLASSES, 20);
    expected.add(new int[] {0, 1, 2}, new float[] {0.9f, 0.5f, 0.3f}, 3, new int[] {0, 2});
    expected.add(new int[] {1, 4}, new float[] {0.7f, 0.6f}, 2, new int[] {1});
    expected.add(new int[0], new float[0], 0, new int[] {3});
    EvalReport report = result.report();
    assertEquals(expected.report(), report);

    // By hand: pooled pairs 0.9+ 0.7+ 0.6- 0.5- 0.3+, P = 4: GAP = (1/1 + 2/2 + 3/5) / 4.
    assertEquals(3, report.videos());
    assertEquals(4, report.totalPositives());
    assertEquals(0.65, report.gap(), 1e-9);
    assertEquals(2.0 / 3, report.hit1(), 1e-9); // v1 and v2 right at the top, v3 nothing
    assertEquals((0.5 + 1 + 0) / 3, report.perr(), 1e-9); // v1: 1 of its top 2, v2: 1 of 1, v3: 0
    assertEquals(0.75, report.map(), 1e-9); // classes 0, 1, 2 AP 1, class 3 AP 0
    // finish() is idempotent, and nothing can be added afterwards.
    assertEquals(result, scoring.finish());
    try (PredictionCsvReader r = new PredictionCsvReader(new StringReader(csv), "p.csv", CLASSES)) {
      assertThrows(IllegalStateException.class, () -> scoring.add(r));
    }
  }

  @Test
  void severalFilesAddUpAndNothingPredictedCountsEveryVideoMissing() throws IOException {
    LabelTable labels = threeVideos();
    PredictionScoring split = new PredictionScoring(labels, CLASSES, 20);
    for (String part : List.of("v1,0 0.9 1 0.5 2 0.3\n", "v2,1 0.7 4 0.6\nv3,3 0.2\n")) {
      try (PredictionCsvReader r = new PredictionCsvReader(
          new StringReader(PredictionCsvWriter.HEADER + "\n" + part), "part.csv", CLASSES)) {
        split.add(r);
      }
    }
    PredictionScoring.Result all = split.finish();
    assertEquals(3, all.predicted());
    assertEquals(0, all.missing());
    assertEquals(0, all.unknownIds());
    assertNull(all.firstUnknownId());
    assertEquals(1.0, all.report().hit1(), 1e-12);

    PredictionScoring empty = new PredictionScoring(labels, CLASSES, 20);
    PredictionScoring.Result none = empty.finish();
    assertEquals(0, none.predicted());
    assertEquals(3, none.missing());
    assertEquals(0.0, none.report().gap(), 0.0);
    assertEquals(3, none.report().videos());
  }

  @Test
  void aVideoPredictedTwiceNamesTheLine() throws IOException {
    LabelTable labels = threeVideos();
    String csv = "VideoId,LabelConfidencePairs\nv1,0 0.9\nv2,1 0.7\nv1,2 0.4\n";
    PredictionScoring scoring = new PredictionScoring(labels, CLASSES, 20);
    try (PredictionCsvReader r = new PredictionCsvReader(new StringReader(csv), "dup.csv", CLASSES)) {
      PredictionFormatException e = assertThrows(PredictionFormatException.class, () -> scoring.add(r));
      assertEquals("dup.csv", e.fileName());
      assertEquals(4, e.lineNumber());
      assertTrue(e.getMessage().startsWith("dup.csv:4: "), e.getMessage());
      assertTrue(e.getMessage().contains("'v1'"), e.getMessage());
    }
  }

  @Test
  void aVideoPredictedTwiceAcrossFilesIsAlsoAnError() throws IOException {
    LabelTable labels = threeVideos();
    PredictionScoring scoring = new PredictionScoring(labels, CLASSES, 20);
    try (PredictionCsvReader r = new PredictionCsvReader(
        new StringReader("VideoId,LabelConfidencePairs\nv2,1 0.7\n"), "a.csv", CLASSES)) {
      scoring.add(r);
    }
    try (PredictionCsvReader r = new PredictionCsvReader(
        new StringReader("VideoId,LabelConfidencePairs\n\nv2,1 0.7\n"), "b.csv", CLASSES)) {
      PredictionFormatException e = assertThrows(PredictionFormatException.class, () -> scoring.add(r));
      assertTrue(e.getMessage().startsWith("b.csv:3: "), e.getMessage());
    }
  }

  @Test
  void labelTableRejectsAnIdSeenTwice() throws IOException {
    Path first = write(tmp.resolve("a.tfrecord"), video("v1", 0), video("v2", 1));
    Path second = write(tmp.resolve("b.tfrecord"), video("v3", 2), video("v1", 3));
    IOException across = assertThrows(IOException.class, () -> read(first, second));
    assertTrue(across.getMessage().contains("'v1'"), across.getMessage());
    assertTrue(across.getMessage().contains(second.toString()), across.getMessage());

    Path same = write(tmp.resolve("c.tfrecord"), video("x", 0), video("y", 1), video("x", 2));
    IOException within = assertThrows(IOException.class, () -> read(same));
    assertTrue(within.getMessage().contains("'x'") && within.getMessage().contains(same.toString()),
        within.getMessage());
  }

  private static byte[] video(String id, int... labels) {
    return new ExampleCodec(SPEC).encode(new VideoRecord(id, labels, 1, new float[] {0.25f, -0.5f}));
  }

  private static Path write(Path file, byte[]... payloads) throws IOException {
    try (OutputStream out = Files.newOutputStream(file); TfRecordWriter w = new TfRecordWriter(out)) {
      for (byte[] p : payloads) {
        w.write(p);
      }
    }
    return file;
  }

  private static LabelTable read(Path... files) throws IOException {
    List<String> names = java.util.Arrays.stream(files).map(Path::toString).toList();
    try (VideoReader r = VideoReader.labelsOnly(DataPaths.resolve(names), SPEC, BadRecordPolicy.FAIL)) {
      return LabelTable.read(r);
    }
  }
}
