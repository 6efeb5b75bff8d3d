package org.vidar.tfpeer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trains the moe and dbof models with real TensorFlow for a few epochs on tiny hand-written datasets
 * whose labels follow from the features, and checks the loss falls and the CSVs are well-formed.
 */
class TfPeerTrainingTest {
  private static final int CLASSES = 8;
  private static final Pattern SCORE = Pattern.compile("\\d+\\.\\d{6}");

  @TempDir Path dir;

  /** One random direction per class, the signal the test videos' labels follow. */
  private static float[][] directions(Random random) {
    float[][] directions = new float[CLASSES][VideoLoader.DIMENSION];
    for (float[] d : directions) {
      for (int i = 0; i < d.length; i++) {
        d[i] = (float) random.nextGaussian();
      }
    }
    return directions;
  }

  @Test
  void moeLearnsAndWritesWellFormedCsv() throws IOException {
    Random random = new Random(7);
    float[][] directions = directions(random);
    Path train = dir.resolve("train.tfrecord");
    Path validate = dir.resolve("validate.tfrecord");
    TestRecords.write(train, videos("t", 256, directions, random));
    List<byte[]> validateVideos = videos("v", 40, directions, random);
    TestRecords.write(validate, validateVideos);

    Path out = dir.resolve("out");
    PeerConfig config = new PeerConfig(List.of(train.toString()), List.of(validate.toString()),
        CLASSES, ModelKind.MOE, 2, 32, 0.01f, 16, 2, 1.0f, 1, out, 0, 0, 20, 1024, 30, 0.99f);
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PeerRun.Outcome outcome;
    try (PrintStream results = new PrintStream(stdout, true, StandardCharsets.UTF_8)) {
      outcome = new PeerRun(config, results, System.err).run();
    }

    assertEquals(2, outcome.epochs().size());
    double first = outcome.epochs().get(0).trainLossMean();
    double second = outcome.epochs().get(1).trainLossMean();
    assertTrue(second < first, "loss did not fall: " + first + " then " + second);

    List<String> log = Files.readAllLines(out.resolve("log.tsv"));
    assertEquals(List.of(EpochStats.TSV_HEADER, outcome.epochs().get(0).tsvLine(),
        outcome.epochs().get(1).tsvLine()), log);
    assertEquals(String.join("\n", log) + "\n", stdout.toString(StandardCharsets.UTF_8));
    assertTrue(Files.readString(out.resolve("peer.json")).contains("\"tensorflow_version\": \"2.18"));

    for (String name : List.of("epoch-001.csv", "epoch-002.csv")) {
      List<String> lines = Files.readAllLines(out.resolve(name));
      assertEquals(PredictionCsv.HEADER, lines.get(0));
      assertEquals(validateVideos.size() + 1, lines.size(), name);
      for (int v = 0; v < validateVideos.size(); v++) {
        checkLine(name, lines.get(v + 1), "v" + v);
      }
    }
  }

  @Test
  void dbofLearnsFromQuantizedFramesAndScoresWithMovingAverages() throws IOException {
    Random random = new Random(11);
    float[][] directions = directions(random);
    Path train = dir.resolve("train.tfrecord");
    Path validate = dir.resolve("validate.tfrecord");
    TestRecords.write(train, frameVideos("t", 256, directions, random));
    List<byte[]> validateVideos = frameVideos("v", 40, directions, random);
    TestRecords.write(validate, validateVideos);

    Path out = dir.resolve("out");
    PeerConfig config = new PeerConfig(List.of(train.toString()), List.of(validate.toString()),
        CLASSES, ModelKind.DBOF, 3, 32, 0.01f, 16, 2, 1.0f, 1, out, 0, 0, 20, 32, 5, 0.99f);
    PeerRun.Outcome outcome;
    try (PrintStream results = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
      outcome = new PeerRun(config, results, System.err).run();
    }
    assertEquals(3, outcome.epochs().size());
    double first = outcome.epochs().get(0).trainLossMean();
    double last = outcome.epochs().get(2).trainLossMean();
    assertTrue(last < first, "loss did not fall: " + first + " then " + last);
    assertTrue(Files.readString(out.resolve("peer.json")).contains("\"sample_frames\": 5"));
    for (String name : List.of("epoch-001.csv", "epoch-003.csv")) {
      List<String> lines = Files.readAllLines(out.resolve(name));
      assertEquals(validateVideos.size() + 1, lines.size(), name);
      for (int v = 0; v < validateVideos.size(); v++) {
        checkLine(name, lines.get(v + 1), "v" + v);
      }
    }
  }

  /** id, then min(20, classes) distinct classes with 6-decimal scores in [0, 1], descending. */
  private static void checkLine(String file, String line, String id) {
    String[] idAndPairs = line.split(",", -1);
    assertEquals(2, idAndPairs.length, file + ": " + line);
    assertEquals(id, idAndPairs[0]);
    String[] tokens = idAndPairs[1].split(" ");
    assertEquals(2 * CLASSES, tokens.length, file + ": " + line);
    Set<Integer> seen = new HashSet<>();
    double previous = Double.POSITIVE_INFINITY;
    for (int i = 0; i < tokens.length; i += 2) {
      int c = Integer.parseInt(tokens[i]);
      assertTrue(c >= 0 && c < CLASSES && seen.add(c), file + ": class " + c + " in " + line);
      assertTrue(SCORE.matcher(tokens[i + 1]).matches(), file + ": score " + tokens[i + 1]);
      double score = Double.parseDouble(tokens[i + 1]);
      assertTrue(score >= 0 && score <= 1 && score <= previous, file + ": order in " + line);
      previous = score;
    }
  }

  /**
   * Frame-level videos of 4 to 12 quantized frames: a Gaussian video direction plus per-frame noise;
   * class k is present when the video direction points along direction k.
   */
  private static List<byte[]> frameVideos(String prefix, int count, float[][] directions, Random random) {
    List<byte[]> records = new ArrayList<>();
    for (int v = 0; v < count; v++) {
      float[] x = new float[VideoLoader.DIMENSION];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextGaussian();
      }
      List<Long> labels = new ArrayList<>();
      for (int k = 0; k < directions.length; k++) {
        double dot = 0;
        for (int i = 0; i < x.length; i++) {
          dot += x[i] * directions[k][i];
        }
        if (dot > 20) {
          labels.add((long) k);
        }
      }
      int frames = 4 + random.nextInt(9);
      byte[][] rgb = new byte[frames][VideoLoader.RGB_SIZE];
      byte[][] audio = new byte[frames][VideoLoader.AUDIO_SIZE];
      for (int t = 0; t < frames; t++) {
        for (int i = 0; i < VideoLoader.DIMENSION; i++) {
          float value = 0.5f * x[i] + 0.3f * (float) random.nextGaussian();
          int q = Math.round((Math.max(-2f, Math.min(2f, value)) + 2f) * 255f / 4f);
          if (i < VideoLoader.RGB_SIZE) {
            rgb[t][i] = (byte) q;
          } else {
            audio[t][i - VideoLoader.RGB_SIZE] = (byte) q;
          }
        }
      }
      records.add(TestRecords.frames(prefix + v, rgb, audio,
          labels.stream().mapToLong(Long::longValue).toArray()));
    }
    return records;
  }

  /** Videos with Gaussian features; class k is present when the features point along direction k. */
  private static List<byte[]> videos(String prefix, int count, float[][] directions, Random random) {
    List<byte[]> records = new ArrayList<>();
    for (int v = 0; v < count; v++) {
      float[] x = new float[VideoLoader.DIMENSION];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextGaussian();
      }
      List<Long> labels = new ArrayList<>();
      for (int k = 0; k < directions.length; k++) {
        double dot = 0;
        for (int i = 0; i < x.length; i++) {
          dot += x[i] * directions[k][i];
        }
        if (dot > 20) {
          labels.add((long) k);
        }
      }
      float[] rgb = Arrays.copyOfRange(x, 0, VideoLoader.RGB_SIZE);
      float[] audio = Arrays.copyOfRange(x, VideoLoader.RGB_SIZE, VideoLoader.DIMENSION);
      records.add(TestRecords.video(prefix + v, rgb, audio,
          labels.stream().mapToLong(Long::longValue).toArray()));
    }
    return records;
  }
}
