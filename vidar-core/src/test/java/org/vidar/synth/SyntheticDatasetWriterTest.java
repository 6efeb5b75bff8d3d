package org.vidar.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;
import org.vidar.data.Vocabulary;
import org.vidar.eval.PredictionCsvReader;

/**
 * The dataset writer on a small model (25 classes, 5..20 frames): output independent of threads and
 * shards, video level = mean of the dequantized frames, oracle and vocabulary consistent with the
 * labels, no temporary files left behind.
 */
class SyntheticDatasetWriterTest {
  private static final int CLASSES = 25;
  private static final long TRAIN = 130;
  private static final long VALIDATE = 50;
  private static final SynthConfig CONFIG =
      SynthConfig.builder().numClasses(CLASSES).seed(11).frames(5, 20).build();

  @TempDir static Path tmp;
  private static Path dirA;
  private static Path dirB;
  private static SyntheticDatasetWriter writerA;

  @BeforeAll
  static void writeTwice() throws IOException {
    LatentVideoModel model = new LatentVideoModel(CONFIG);
    dirA = tmp.resolve("a");
    dirB = tmp.resolve("b");
    writerA = new SyntheticDatasetWriter(model,
        new SynthLayout(dirA.toString(), TRAIN, VALIDATE, 4, true, true, 2));
    writerA.write();
    // 1 thread and 3 shards: a different split of the same videos into files.
    new SyntheticDatasetWriter(new LatentVideoModel(CONFIG),
        new SynthLayout(dirB.toString(), TRAIN, VALIDATE, 3, true, true, 1)).write();
  }

  @Test
  void writesTheExpectedShardFiles() throws IOException {
    assertEquals(List.of("train-00000-of-00004.tfrecord", "train-00001-of-00004.tfrecord",
            "train-00002-of-00004.tfrecord", "train-00003-of-00004.tfrecord",
            "validate-00000-of-00004.tfrecord", "validate-00001-of-00004.tfrecord",
            "validate-00002-of-00004.tfrecord", "validate-00003-of-00004.tfrecord"),
        names(dirA.resolve("video")));
    assertEquals(names(dirA.resolve("video")), names(dirA.resolve("frame")));
    assertEquals(6, names(dirB.resolve("frame")).size());
    assertEquals(6, names(dirB.resolve("oracle")).size());
    assertTrue(Files.isRegularFile(dirA.resolve("synth.txt")));
    assertEquals(TRAIN + VALIDATE, writerA.videosWritten());
    long tfrecordBytes = 0;
    for (String level : List.of("video", "frame")) {
      for (String n : names(dirA.resolve(level))) {
        tfrecordBytes += Files.size(dirA.resolve(level).resolve(n));
      }
    }
    assertEquals(tfrecordBytes, writerA.bytesWritten());
  }

  @Test
  void outputDoesNotDependOnThreadsOrShards() throws IOException {
    for (String level : List.of("video", "frame")) {
      FeatureSpec spec = level.equals("video") ? writerA.videoSpec() : writerA.frameSpec();
      Map<String, VideoRecord> a = byId(readAll(dirA.resolve(level), spec));
      Map<String, VideoRecord> b = byId(readAll(dirB.resolve(level), spec));
      assertEquals(TRAIN + VALIDATE, a.size(), level);
      assertEquals(a.keySet(), b.keySet(), level);
      for (String id : a.keySet()) {
        assertEquals(a.get(id), b.get(id), level + " video " + id); // id, labels, frames, features
      }
      // Shards are named so that reading them in name order gives the videos in index order.
      assertEquals(new ArrayList<>(a.keySet()), new ArrayList<>(b.keySet()), level + " order");
    }
    assertEquals(oracleLines(dirA), oracleLines(dirB));
    assertEquals(Files.readString(dirA.resolve("vocabulary.csv")), Files.readString(dirB.resolve("vocabulary.csv")));
  }

  @Test
  void videoLevelIsTheMeanOfTheDequantizedFrames() throws IOException {
    assertVideoLevelIsTheMeanOfTheFrames(dirA, writerA);
  }

  /**
   * With labels from segments the files are still YouTube-8M's: the video level is the mean of the
   * frames, and the same seed writes the same bytes (here with 2 threads and with 1).
   */
  @Test
  void segmentLabelsKeepTheFormatsAndAreDeterministic() throws IOException {
    SynthConfig seg = CONFIG.toBuilder().labelSource(LabelSource.SEGMENTS).sharpness(0)
        .threshold(0).build();
    Path a = tmp.resolve("seg-a");
    Path b = tmp.resolve("seg-b");
    SyntheticDatasetWriter writer = new SyntheticDatasetWriter(new LatentVideoModel(seg),
        new SynthLayout(a.toString(), TRAIN, VALIDATE, 4, true, true, 2));
    writer.write();
    new SyntheticDatasetWriter(new LatentVideoModel(seg),
        new SynthLayout(b.toString(), TRAIN, VALIDATE, 4, true, true, 1)).write();
    assertVideoLevelIsTheMeanOfTheFrames(a, writer);
    for (String level : List.of("video", "frame", "oracle")) {
      for (String n : names(a.resolve(level))) {
        assertArrayEquals(Files.readAllBytes(a.resolve(level).resolve(n)),
            Files.readAllBytes(b.resolve(level).resolve(n)), level + "/" + n);
      }
    }
    assertTrue(Files.readString(a.resolve("synth.txt")).contains("max_t mean_{t'=t..t+4} u_km . z_t'"));
    assertTrue(!oracleLines(a).equals(oracleLines(dirA)), "other probabilities than the mean mode's");
  }

  private static void assertVideoLevelIsTheMeanOfTheFrames(Path dir, SyntheticDatasetWriter writer)
      throws IOException {
    Map<String, VideoRecord> videos = byId(readAll(dir.resolve("video"), writer.videoSpec()));
    Map<String, VideoRecord> frames = byId(readAll(dir.resolve("frame"), writer.frameSpec()));
    assertEquals(TRAIN + VALIDATE, frames.size());
    int dim = CONFIG.featureDim();
    for (VideoRecord f : frames.values()) {
      VideoRecord v = videos.get(f.id());
      assertArrayEquals(f.labels(), v.labels(), f.id());
      assertEquals(1, v.numFrames());
      assertEquals(dim, v.dimension());
      assertEquals(dim, f.dimension());
      assertTrue(f.numFrames() >= 5 && f.numFrames() <= 20, f.id() + " has " + f.numFrames() + " frames");
      for (int j = 0; j < dim; j++) {
        double sum = 0;
        for (int t = 0; t < f.numFrames(); t++) {
          sum += f.features()[t * dim + j];
        }
        assertEquals(sum / f.numFrames(), v.features()[j], 1e-6, f.id() + " feature " + j);
      }
    }
  }

  @Test
  void oracleListsEveryVideoOnceAndEveryLabelWithPositiveProbability() throws IOException {
    Map<String, VideoRecord> videos = byId(readAll(dirA.resolve("video"), writerA.videoSpec()));
    Map<String, Map<Integer, Float>> oracle = new LinkedHashMap<>();
    long lines = 0;
    for (String name : names(dirA.resolve("oracle"))) {
      Path file = dirA.resolve("oracle").resolve(name);
      try (PredictionCsvReader r = new PredictionCsvReader(
          Files.newBufferedReader(file, StandardCharsets.UTF_8), file.toString(), CLASSES)) {
        while (r.next()) {
          lines++;
          Map<Integer, Float> probs = new TreeMap<>();
          for (int i = 0; i < r.count(); i++) {
            probs.put(r.classes()[i], r.scores()[i]);
            assertTrue(r.scores()[i] > 0 && r.scores()[i] <= 1, r.videoId() + ": " + r.scores()[i]);
          }
          assertTrue(oracle.put(r.videoId(), probs) == null, "video " + r.videoId() + " listed twice");
        }
      }
    }
    assertEquals(TRAIN + VALIDATE, lines);
    assertEquals(videos.keySet(), oracle.keySet());
    for (VideoRecord v : videos.values()) {
      Map<Integer, Float> probs = oracle.get(v.id());
      for (int label : v.labels()) {
        Float p = probs.get(label);
        assertTrue(p != null && p > 0, "video " + v.id() + ": label " + label + " has no positive probability");
      }
    }
  }

  @Test
  void vocabularyCountsTheTrainLabels() throws IOException {
    Vocabulary vocab;
    try (InputStream in = Files.newInputStream(dirA.resolve("vocabulary.csv"))) {
      vocab = Vocabulary.read(in, "vocabulary.csv");
    }
    assertEquals(CLASSES, vocab.size());
    long[] counts = new long[CLASSES];
    List<VideoRecord> train = readAll(DataPaths.resolve(
        List.of(dirA.resolve("video").resolve("train-*.tfrecord").toString())), writerA.videoSpec());
    assertEquals(TRAIN, train.size());
    long labels = 0;
    for (VideoRecord v : train) {
      for (int label : v.labels()) {
        counts[label]++;
        labels++;
      }
    }
    assertTrue(labels > 0);
    assertArrayEquals(counts, vocab.trainCounts());
  }

  @Test
  void leavesNoTemporaryFiles() throws IOException {
    try (Stream<Path> walk = Files.walk(tmp)) {
      List<Path> leftovers = walk.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith(".") || n.endsWith(".tmp");
      }).toList();
      assertEquals(List.of(), leftovers);
    }
  }

  @Test
  void fewerVideosThanShardsGivesOneShardPerVideo(@TempDir Path dir) throws IOException {
    new SyntheticDatasetWriter(new LatentVideoModel(CONFIG),
        new SynthLayout(dir.toString(), 5, 2, 4, true, false, 2)).write();
    assertEquals(List.of("train-00000-of-00004.tfrecord", "train-00001-of-00004.tfrecord",
            "train-00002-of-00004.tfrecord", "train-00003-of-00004.tfrecord",
            "validate-00000-of-00002.tfrecord", "validate-00001-of-00002.tfrecord"),
        names(dir.resolve("video")));
    assertTrue(Files.notExists(dir.resolve("frame")));
    assertEquals(7, readAll(dir.resolve("video"), FeatureSpec.youtube8mVideo(CLASSES)).size());
  }

  @Test
  void layoutRejectsNoVideosAndNoLevel() {
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> new SynthLayout("out", 0, 0, 2, true, true, 1));
    assertTrue(none.getMessage().contains("0 train and 0 validate"), none.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SynthLayout("out", -1, 10, 2, true, true, 1));
    IllegalArgumentException noLevel = assertThrows(IllegalArgumentException.class,
        () -> new SynthLayout("out", 10, 0, 2, false, false, 1));
    assertTrue(noLevel.getMessage().contains("video-level, frame-level or both"), noLevel.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SynthLayout("", 10, 0, 2, true, true, 1));
    assertThrows(IllegalArgumentException.class, () -> new SynthLayout("out", 10, 0, 0, true, true, 1));
    assertThrows(IllegalArgumentException.class, () -> new SynthLayout("out", 10, 0, 2, true, true, 0));
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<VideoRecord> readAll(Path dir, FeatureSpec spec) throws IOException {
    return readAll(DataPaths.resolve(List.of(dir.toString())), spec);
  }

  private static List<VideoRecord> readAll(List<org.vidar.data.InputFile> files, FeatureSpec spec)
      throws IOException {
    List<VideoRecord> out = new ArrayList<>();
    try (VideoReader r = new VideoReader(files, spec, BadRecordPolicy.FAIL)) {
      VideoRecord v;
      while ((v = r.next()) != null) {
        out.add(v);
      }
    }
    return out;
  }

  private static Map<String, VideoRecord> byId(List<VideoRecord> records) {
    Map<String, VideoRecord> out = new LinkedHashMap<>();
    for (VideoRecord r : records) {
      assertTrue(out.put(r.id(), r) == null, "video " + r.id() + " appears twice");
    }
    return out;
  }

  /** Every oracle line by video id (the header excluded). */
  private static Map<String, String> oracleLines(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (String name : names(dir.resolve("oracle"))) {
      List<String> lines = Files.readAllLines(dir.resolve("oracle").resolve(name));
      for (String line : lines.subList(1, lines.size())) {
        out.put(line.substring(0, line.indexOf(',')), line);
      }
    }
    return out;
  }
}
