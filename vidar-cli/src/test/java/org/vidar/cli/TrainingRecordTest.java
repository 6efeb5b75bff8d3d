package org.vidar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.cli.CommandsTest.Run;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.eval.EvalReport;
import org.vidar.eval.PerClassCsv;
import org.vidar.inference.ModelEvaluation;
import org.vidar.model.io.ModelFiles;
import org.vidar.train.MetricsLine;
import org.vidar.train.MetricsLog;

/**
 * {@code vidar train} writes metrics.jsonl (a line per pre-training epoch and per stage) whose numbers
 * are the printed table's and the written model's evaluation, on the local engine and on Spark, and
 * per-class.csv of the written stage.
 */
class TrainingRecordTest {
  @TempDir static Path tmp;
  private static Path data;
  private static Path model;
  private static Run local;

  /** A stage's row of the printed table at video level: stage, seconds, videos/s, loss, 4 metrics, parameters. */
  private static final Pattern ROW = Pattern.compile("(?m)^(pretrain|round \\d+ (?:heads|trunk)) +(\\S+) +(\\S+) +(\\S+)"
      + " +(\\S+) +(\\S+) +(\\S+) +(\\S+) +(\\d+)$");

  @BeforeAll
  static void train() {
    data = tmp.resolve("data");
    Run synth = CommandsTest.run("synth", "--out", data.toString(), "-n", "80", "-c", "10", "--level", "video",
        "--threads", "1", "--shards", "2", "--seed", "7");
    assertEquals(ExitCodes.OK, synth.code(), synth::toString);
    model = tmp.resolve("model");
    local = CommandsTest.run("train", "--engine", "local", "--threads", "2", "--train", files("train"),
        "--validate", files("validate"), "--out", model.toString(), "--classes", "10", "--hidden", "8",
        "--pretrain-epochs", "3", "--pretrain-holdout", "0", "--rounds", "1", "--experts", "2", "--head-epochs", "2",
        "--trunk-steps", "2");
    assertEquals(ExitCodes.OK, local.code(), local::toString);
  }

  static String files(String split) {
    return data.resolve("video").resolve(split + "*").toString();
  }

  @Test
  void everyEpochAndStageHasALineAndTheStagesAreThePrintedRows() throws IOException {
    List<MetricsLine> lines = MetricsLog.read(model.resolve(MetricsLog.FILE).toString());
    List<MetricsLine> epochs = lines.stream().filter(l -> !l.isStage()).toList();
    assertEquals(3, epochs.size(), lines::toString);
    for (int e = 0; e < 3; e++) {
      MetricsLine l = epochs.get(e);
      assertEquals(e, l.epoch());
      assertEquals("pretrain", l.stage());
      assertFalse(Double.isNaN(l.gap()) || Double.isNaN(l.trainLoss()) || Double.isNaN(l.videosPerSecond()),
          l::toString);
      assertEquals(l.seconds(), l.stageSeconds(), 1e-12, "pre-training is the run's first stage");
      assertTrue(e == 0 || l.seconds() > epochs.get(e - 1).seconds(), lines::toString);
    }
    assertEquals(lines.subList(0, 3), epochs, "the epochs come first");
    assertStagesArePrinted(local, lines);
    List<MetricsLine> stages = lines.stream().filter(MetricsLine::isStage).toList();
    assertTrue(stages.get(0).seconds() >= epochs.get(2).seconds(), lines::toString);
    double sum = 0;
    for (MetricsLine s : stages) {
      sum += s.stageSeconds();
      assertEquals(sum, s.seconds(), 1e-9, "cumulative training time: " + lines);
      assertTrue(Double.isNaN(s.framesPerSecond()), "no frames at video level");
    }
  }

  /** The stage lines equal the printed rows, figure by figure, and come in the same order. */
  static void assertStagesArePrinted(Run run, List<MetricsLine> lines) {
    List<MetricsLine> stages = lines.stream().filter(MetricsLine::isStage).toList();
    Matcher row = ROW.matcher(run.out());
    List<String> printed = new ArrayList<>();
    while (row.find()) {
      MetricsLine l = stages.get(printed.size());
      printed.add(row.group(1));
      assertEquals(row.group(1), l.stage(), run::toString);
      assertEquals(row.group(2), String.format(Locale.ROOT, "%.1f", l.stageSeconds()), row.group());
      assertEquals(row.group(3), fmt("%.0f", l.videosPerSecond()), row.group());
      assertEquals(row.group(4), fmt("%.5f", l.trainLoss()), row.group());
      assertEquals(row.group(5), fmt("%.4f", l.gap()), row.group());
      assertEquals(row.group(6), fmt("%.4f", l.hit1()), row.group());
      assertEquals(row.group(7), fmt("%.4f", l.perr()), row.group());
      assertEquals(row.group(8), fmt("%.4f", l.map()), row.group());
      assertEquals(Long.parseLong(row.group(9)), l.parameters(), row.group());
      assertEquals(20, l.topK());
    }
    assertEquals(stages.stream().map(MetricsLine::stage).toList(), printed, run::toString);
  }

  private static String fmt(String format, double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
  }

  @Test
  void theWrittenStagesLineAndPerClassCsvAreTheModelsEvaluation() throws IOException {
    List<MetricsLine> lines = MetricsLog.read(model.resolve(MetricsLog.FILE).toString());
    var saved = ModelFiles.load(model.toString());
    String stage = saved.provenance().get("stage").asText();
    MetricsLine written = lines.stream().filter(l -> l.isStage() && l.stage().equals(stage)).findFirst().orElseThrow();
    EvalReport r = ModelEvaluation.evaluate(saved.model(), DataPaths.resolve(List.of(files("validate"))),
        BadRecordPolicy.FAIL, 20, 64).report();
    assertEquals(r.gap(), written.gap(), 1e-12);
    assertEquals(r.hit1(), written.hit1(), 1e-12);
    assertEquals(r.perr(), written.perr(), 1e-12);
    assertEquals(r.map(), written.map(), 1e-12);
    assertEquals(saved.model().parameterCount(), written.parameters());
    PerClassCsv.Table t = PerClassCsv.read(model.resolve(PerClassCsv.FILE).toString());
    assertEquals(List.of("model"), t.sets());
    for (int c = 0; c < 10; c++) {
      assertEquals(r.classPositives(c), t.positives()[c]);
      assertEquals(r.classAp(c), t.ap("model")[c], 1e-6, "class " + c);
    }
  }

  @Test
  void theSparkEngineWritesItToo() throws IOException {
    Path spark = tmp.resolve("spark-model");
    Run r = CommandsTest.run("train", "--master", "local[2]", "--train", files("train"), "--validate",
        files("validate"), "--out", spark.toString(), "--classes", "10", "--experts", "2", "--head-epochs", "2");
    assertEquals(ExitCodes.OK, r.code(), r::toString);
    List<MetricsLine> lines = MetricsLog.read(spark.resolve(MetricsLog.FILE).toString());
    assertEquals(List.of("round 1 heads", "round 1 trunk"), lines.stream().map(MetricsLine::stage).toList());
    assertStagesArePrinted(r, lines);
    assertTrue(Files.isRegularFile(spark.resolve(PerClassCsv.FILE)));
  }
}
