package org.vidar.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.ProbeTally;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.ExampleCodec;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.data.LabelPolicy;
import org.vidar.data.TfRecordWriter;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;

/**
 * The probe of prediction CSVs for eval (issue 12): Kaggle-format files cut anywhere, with lines
 * duplicated or dropped, bytes inserted, deleted or made invalid UTF-8, numbers replaced by odd
 * ones (hex, infinities, NaN, 1e39, a million digits), classes out of range or repeated, unknown and
 * unlabelled ids, huge ids, odd line breaks and blank lines. Each file is scored as eval scores it
 * ({@link PredictionCsvReader} into {@link PredictionScoring}) and read a second time by this test's
 * own parser of the documented format: where that parser accepts the file, the counts and every
 * metric must be the same; where it finds the first bad line, the error must name the file and that
 * line, in a bounded message.
 */
class PredictionCsvProbeTest {
  private static final int CASES = ProbeTally.cases(3_000);
  private static final int CLASSES = 12;
  private static final int TOP_K = 5;
  private static final String HEADER = "VideoId,LabelConfidencePairs";
  private static final FeatureSpec SPEC = new FeatureSpec(FeatureSpec.Level.VIDEO, List.of("id"), "labels",
      List.of(new FeatureField("f", 1)), CLASSES, FeatureSpec.YT8M_MAX_FRAMES);

  @TempDir
  Path dir;

  /** The labelled videos (id to labels) and the ids of the unlabelled ones, as written to the labels file. */
  private record Truth(LabelTable table, Map<String, int[]> labels, List<String> labelledIds, List<String> unlabelled) {}

  private Truth truth(SplittableRandom r) throws IOException {
    Path file = dir.resolve("labels.tfrecord");
    ExampleCodec withLabels = new ExampleCodec(SPEC);
    ExampleCodec without = new ExampleCodec(new FeatureSpec(FeatureSpec.Level.VIDEO, List.of("id"), "no_labels",
        SPEC.features(), CLASSES, FeatureSpec.YT8M_MAX_FRAMES));
    Map<String, int[]> labels = new HashMap<>();
    List<String> ids = new ArrayList<>();
    List<String> unlabelled = new ArrayList<>();
    try (OutputStream out = Files.newOutputStream(file); TfRecordWriter w = new TfRecordWriter(out)) {
      for (int i = 0; i < 40; i++) {
        String id = i % 7 == 0 ? "vidéo " + i : "v" + i;
        int[] l = r.ints(r.nextInt(4), 0, CLASSES).distinct().sorted().toArray();
        labels.put(id, l);
        ids.add(id);
        w.write(withLabels.encode(new VideoRecord(id, l, 1, new float[] {0.5f})));
      }
      for (int i = 0; i < 6; i++) {
        unlabelled.add("u" + i);
        w.write(without.encode(new VideoRecord("u" + i, new int[0], 1, new float[] {0.5f})));
      }
    }
    try (VideoReader reader = VideoReader.labelsOnly(DataPaths.resolve(List.of(file.toString())), SPEC,
        BadRecordPolicy.FAIL, LabelPolicy.OPTIONAL)) {
      return new Truth(LabelTable.read(reader), labels, ids, unlabelled);
    }
  }

  // ---- the files ----

  private static String score(SplittableRandom r) {
    return switch (r.nextInt(6)) {
      case 0 -> Float.toString(r.nextFloat());
      case 1 -> String.format(Locale.ROOT, "%.4f", r.nextFloat());
      case 2 -> String.format(Locale.ROOT, "%.2e", r.nextFloat());
      case 3 -> Integer.toString(r.nextInt(2));
      case 4 -> "." + r.nextInt(1000);
      default -> String.format(Locale.ROOT, "%.6f", r.nextFloat() / 4);
    };
  }

  private static String csv(Truth t, SplittableRandom r) {
    StringBuilder sb = new StringBuilder(r.nextInt(10) == 0 ? "\uFEFF" + HEADER : HEADER);
    String[] breaks = {"\n", "\r\n", "\r"};
    String br = breaks[r.nextInt(3)];
    sb.append(br);
    List<String> ids = new ArrayList<>(t.labelledIds());
    ids.addAll(t.unlabelled());
    ids.add("unknown-" + r.nextInt(100));
    for (String id : ids) {
      if (r.nextInt(4) == 0) {
        continue;
      }
      sb.append(r.nextInt(20) == 0 ? " " + id + "\t" : id).append(',');
      int[] classes = r.ints(r.nextInt(7), 0, CLASSES).distinct().toArray();
      for (int i = 0; i < classes.length; i++) {
        String sep = r.nextInt(10) == 0 ? "\t" : r.nextInt(10) == 0 ? "  " : " ";
        sb.append(i == 0 ? "" : sep).append(classes[i]).append(' ').append(score(r));
      }
      sb.append(r.nextInt(40) == 0 ? br + "   " + br : br);
    }
    return sb.toString();
  }

  private static final String[] ODD = {"nan", "NaN", "inf", "Infinity", "-Infinity", "1e39", "-1e39", "1e-50",
      "0x1p3", "1f", "1d", "+1", "-0", "5.", ".", "1e", "e5", "--1", "1,5", "", "-1", "12", "13", "2147483648",
      "99999999999999999999999", "01", "1.0", "٣", "１", "\u00a0", "\u000b", "\"1\"", "1e+", "+.5e-3", "∞"};

  private static String mutate(String text, SplittableRandom r, StringBuilder what) {
    int n = text.length();
    if (n == 0) {
      what.append("nothing left to change");
      return text;
    }
    switch (r.nextInt(12)) {
      case 0 -> {
        int at = r.nextInt(n + 1);
        what.append("cut at ").append(at);
        return text.substring(0, at);
      }
      case 1 -> {
        int at = r.nextInt(n);
        what.append("char ").append(at).append(" deleted");
        return text.substring(0, at) + text.substring(at + 1);
      }
      case 2 -> {
        int at = r.nextInt(n + 1);
        String ins = switch (r.nextInt(5)) {
          case 0 -> ",";
          case 1 -> " ";
          case 2 -> "\n";
          case 3 -> ODD[r.nextInt(ODD.length)];
          default -> String.valueOf((char) (0x20 + r.nextInt(0x5f)));
        };
        what.append("'").append(ins).append("' inserted at ").append(at);
        return text.substring(0, at) + ins + text.substring(at);
      }
      case 3, 4 -> {
        // a number replaced by an odd one
        List<int[]> tokens = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<=[ ,\t])[0-9.eE+-]+").matcher(text);
        while (m.find()) {
          tokens.add(new int[] {m.start(), m.end()});
        }
        if (tokens.isEmpty()) {
          what.append("no number to replace");
          return text;
        }
        int[] tk = tokens.get(r.nextInt(tokens.size()));
        String odd = ODD[r.nextInt(ODD.length)];
        what.append("number ").append(text, tk[0], tk[1]).append(" replaced by '").append(odd).append("'");
        return text.substring(0, tk[0]) + odd + text.substring(tk[1]);
      }
      case 5 -> {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("(?<=\n)", -1)));
        int at = r.nextInt(lines.size());
        what.append("line ").append(at + 1).append(" repeated");
        lines.add(at, lines.get(at));
        return String.join("", lines);
      }
      case 6 -> {
        String huge = r.nextBoolean() ? "x".repeat(20_000 + r.nextInt(40_000)) : "9".repeat(50_000);
        int at = text.indexOf('\n', r.nextInt(n)) + 1;
        if (at == 0) {
          at = n;
        }
        String line = r.nextBoolean() ? huge + ",1 0.5\n" : "v1,1 " + huge + "\n";
        what.append("a line with a ").append(huge.length()).append("-character field at ").append(at);
        return text.substring(0, at) + line + text.substring(at);
      }
      case 7 -> {
        int at = text.indexOf('\n', r.nextInt(n)) + 1;
        String line = switch (r.nextInt(5)) {
          case 0 -> "no-comma-here";
          case 1 -> ",1 0.5";
          case 2 -> "v3,1 0.5 1 0.25";
          case 3 -> "v5,1";
          default -> "v" + r.nextInt(60) + "," + "0 0.1 ".repeat(1 + r.nextInt(3)).strip();
        };
        what.append("line '").append(line).append("' at ").append(at);
        return text.substring(0, at) + line + "\n" + text.substring(at);
      }
      case 8 -> {
        what.append("header changed");
        String[] headers = {"videoid,labelconfidencepairs", "VideoId;LabelConfidencePairs", "", "VideoId",
            " VideoId,LabelConfidencePairs ", "\uFEFF\uFEFFVideoId,LabelConfidencePairs"};
        int end = text.indexOf('\n');
        return headers[r.nextInt(headers.length)] + (end < 0 ? "" : text.substring(end));
      }
      case 9 -> {
        what.append("line breaks changed");
        return r.nextBoolean() ? text.replace("\n", "\r\n") : text.replace("\r\n", "\n").replace("\n", "\r");
      }
      case 10 -> {
        int at = r.nextInt(n + 1);
        char c = "\u0000\u2028\u00a0\u3000\u200b\u0085\t\u000c".charAt(r.nextInt(8));
        what.append(String.format("U+%04X inserted at %d", (int) c, at));
        return text.substring(0, at) + c + text.substring(at);
      }
      default -> {
        what.append("empty lines appended");
        return text + "\n \n\t\n";
      }
    }
  }

  // ---- the oracle: the documented format, parsed again ----

  /** The first bad line, or the result scoring must give. */
  private record Expected(long badLine, PredictionScoring.Result result) {}

  private static boolean blank(String s) {
    return s.isBlank();
  }

  private static boolean decimal(String s) {
    return s.matches("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");
  }

  /** The pairs of one line ranked by score (highest first), or null when the line is bad. */
  private static float[][] pairs(String rest) {
    String[] tokens = Arrays.stream(rest.split("[ \t]+")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    if (tokens.length % 2 != 0) {
      return null;
    }
    List<float[]> pairs = new ArrayList<>();
    BitSet seen = new BitSet();
    for (int i = 0; i < tokens.length; i += 2) {
      if (!tokens[i].matches("[0-9]+")) {
        return null;
      }
      java.math.BigInteger c = new java.math.BigInteger(tokens[i]);
      if (c.compareTo(java.math.BigInteger.valueOf(CLASSES)) >= 0 || seen.get(c.intValue())) {
        return null;
      }
      seen.set(c.intValue());
      if (!decimal(tokens[i + 1])) {
        return null;
      }
      float s = Float.parseFloat(tokens[i + 1]);
      if (Float.isInfinite(s)) {
        return null;
      }
      pairs.add(new float[] {c.intValue(), s});
    }
    pairs.sort((a, b) -> a[1] != b[1] ? Float.compare(b[1], a[1]) : Float.compare(a[0], b[0]));
    return pairs.toArray(new float[0][]);
  }

  private static Expected oracle(String text, Truth t) {
    List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r\n|\r|\n", -1)));
    // the text after the last line break: nothing (or blanks), else a line cut short
    String last = lines.remove(lines.size() - 1);
    if (lines.isEmpty() && blank(last)) {
      return new Expected(1, null);
    }
    String header = lines.isEmpty() ? last : lines.get(0);
    if (header.startsWith("\uFEFF")) {
      header = header.substring(1);
    }
    if (lines.isEmpty() || !header.strip().equals(HEADER)) {
      return new Expected(1, null);
    }
    YouTube8mEvaluator ev = new YouTube8mEvaluator(CLASSES, TOP_K);
    Map<String, Boolean> predicted = new HashMap<>();
    long unlabelled = 0;
    long unknown = 0;
    String firstUnknown = null;
    for (int i = 1; i <= lines.size(); i++) {
      boolean cut = i == lines.size();
      String line = cut ? last : lines.get(i);
      if (blank(line)) {
        continue;
      }
      if (cut) {
        return new Expected(i + 1, null);
      }
      int comma = line.indexOf(',');
      String id = comma < 0 ? "" : line.substring(0, comma).strip();
      float[][] pairs = comma < 0 ? null : pairs(line.substring(comma + 1));
      if (id.isEmpty() || pairs == null) {
        return new Expected(i + 1, null);
      }
      if (t.unlabelled().contains(id)) {
        unlabelled++;
      } else if (!t.labels().containsKey(id)) {
        firstUnknown = unknown++ == 0 ? id : firstUnknown;
      } else if (predicted.put(id, true) != null) {
        return new Expected(i + 1, null);
      } else {
        int[] classes = new int[pairs.length];
        float[] scores = new float[pairs.length];
        for (int k = 0; k < pairs.length; k++) {
          classes[k] = (int) pairs[k][0];
          scores[k] = pairs[k][1];
        }
        ev.add(classes, scores, pairs.length, t.labels().get(id));
      }
    }
    for (String id : t.labelledIds()) {
      if (!predicted.containsKey(id)) {
        ev.add(new int[0], new float[0], 0, t.labels().get(id));
      }
    }
    return new Expected(0, new PredictionScoring.Result(ev.report(), predicted.size(),
        t.labelledIds().size() - predicted.size(), unlabelled, unknown, firstUnknown));
  }

  // ---- the probe ----

  private ProbeTally.Verdict check(Path file, Truth t, Expected want) throws IOException {
    PredictionScoring scoring = new PredictionScoring(t.table(), CLASSES, TOP_K);
    String name = file.toString();
    try (PredictionCsvReader r = new PredictionCsvReader(
        new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)), name, CLASSES)) {
      scoring.add(r);
    } catch (PredictionFormatException e) {
      if (want.badLine() == 0) {
        return ProbeTally.Verdict.wrong("refused: " + e.getMessage() + "; the format's parser reads the file");
      }
      if (e.lineNumber() != want.badLine() || !e.fileName().equals(name)) {
        return ProbeTally.Verdict.wrong("error at " + e.getMessage() + ", the first bad line is " + want.badLine());
      }
      return ProbeTally.named(e, name + ":" + want.badLine() + ": ");
    }
    PredictionScoring.Result got = scoring.finish();
    if (want.badLine() != 0) {
      return ProbeTally.Verdict.wrong("accepted; the first bad line is " + want.badLine());
    }
    return got.equals(want.result()) ? ProbeTally.Verdict.accepted()
        : ProbeTally.Verdict.wrong("scored " + got + ", the format's parser " + want.result());
  }

  @Test
  void damagedPredictionFilesScoreAsTheFormatSaysOrNameTheirFirstBadLine() throws IOException {
    ProbeTally tally = new ProbeTally("prediction CSVs (eval)", Duration.ofSeconds(20));
    SplittableRandom r = new SplittableRandom(ProbeTally.SEED + 2);
    Truth truth = truth(r);
    Path file = dir.resolve("predictions.csv");
    for (int c = 0; c < CASES; c++) {
      String text = csv(truth, r);
      StringBuilder what = new StringBuilder("case " + c + ": ");
      for (int k = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(2); k > 0; k--) {
        text = mutate(text, r, what.append(what.toString().endsWith(": ") ? "" : "; "));
      }
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      if (r.nextInt(30) == 0) {
        // invalid UTF-8, which the reader (and this parser) read as U+FFFD
        int at = r.nextInt(bytes.length + 1);
        byte[] cut = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, cut, 0, at);
        cut[at] = (byte) 0xc3;
        System.arraycopy(bytes, at, cut, at + 1, bytes.length - at);
        bytes = cut;
        text = new String(bytes, StandardCharsets.UTF_8);
        what.append("; invalid UTF-8 at byte ").append(at);
      }
      Files.write(file, bytes);
      Expected want = oracle(text, truth);
      tally.run(what.toString(), () -> check(file, truth, want));
    }
    tally.assertClean();
    assertTrue(tally.count(ProbeTally.Outcome.ACCEPTED) > CASES / 10
        && tally.count(ProbeTally.Outcome.NAMED_ERROR) > CASES / 3, tally::row);
  }
}
