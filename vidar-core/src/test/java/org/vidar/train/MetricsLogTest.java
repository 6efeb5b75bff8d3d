package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.jsonl: lines read back as written, null for missing figures, flushed as they come, and resumed. */
class MetricsLogTest {
  @TempDir Path tmp;

  private static MetricsLine epoch(int e, double seconds) {
    return new MetricsLine(MetricsLine.EPOCH, "pretrain", e, seconds, seconds, 0.1 / (e + 1), 20, 0.5 + e / 100.0,
        0.6, 0.4, 0.3, 1234.5, Double.NaN, 99);
  }

  private static MetricsLine stage(String name, double seconds, double stageSeconds) {
    return new MetricsLine(MetricsLine.STAGE, name, -1, seconds, stageSeconds, Double.NaN, 20, 0.7123456789012345,
        0.8, 0.6, 0.5, Double.NaN, Double.NaN, 1000);
  }

  @Test
  void linesReadBackExactlyAndMissingFiguresAreNull() throws IOException {
    String file = tmp.resolve("m").resolve(MetricsLog.FILE).toString();
    List<MetricsLine> written = List.of(epoch(0, 1.25), epoch(1, 2.5), stage("pretrain", 2.75, 2.75),
        stage("round 1 heads", 10.1, 7.35));
    try (MetricsLog log = MetricsLog.start(file, -1)) {
      for (MetricsLine l : written) {
        log.append(l);
        // Flushed line by line: a run that dies leaves what it wrote.
        assertEquals(written.indexOf(l) + 1, Files.readAllLines(Path.of(file)).size());
      }
    }
    assertEquals(written, MetricsLog.read(file));
    String last = Files.readAllLines(Path.of(file)).get(3);
    assertTrue(last.contains("\"train_loss\":null") && last.contains("\"epoch\":null")
        && last.contains("\"frames_per_s\":null") && last.contains("\"gap\":0.7123456789012345")
        && last.contains("\"stage\":\"round 1 heads\"") && last.contains("\"round\":1"), last);
    assertTrue(Files.readAllLines(Path.of(file)).get(0).startsWith("{\"kind\":\"epoch\",\"stage\":\"pretrain\",\"round\":0,\"epoch\":0,"));
  }

  @Test
  void aResumedRunKeepsTheStagesUpToItsCheckpointAndContinuesTheirSeconds() throws IOException {
    String file = tmp.resolve(MetricsLog.FILE).toString();
    try (MetricsLog log = MetricsLog.start(file, -1)) {
      log.append(epoch(0, 1));
      log.append(stage("pretrain", 1.5, 1.5));
      log.append(stage("round 1 heads", 4, 2.5));
    }
    try (MetricsLog log = MetricsLog.start(file, 0)) {
      assertEquals(1.5, log.secondsBefore());
      log.append(stage("round 1 heads", 5, 3.5));
    }
    List<MetricsLine> lines = MetricsLog.read(file);
    assertEquals(List.of(epoch(0, 1), stage("pretrain", 1.5, 1.5), stage("round 1 heads", 5, 3.5)), lines);
    try (MetricsLog log = MetricsLog.start(file, -1)) {
      assertEquals(0, log.secondsBefore());
    }
    assertEquals(List.of(), MetricsLog.read(file), "a fresh run starts an empty log");
  }

  @Test
  void aBadLineIsNamedByFileLineAndField() throws IOException {
    Path file = tmp.resolve("bad.jsonl");
    Files.writeString(file, "{\"kind\":\"stage\",\"stage\":\"pretrain\",\"top_k\":20,\"gap\":\"x\"}\n",
        StandardCharsets.UTF_8);
    IOException e = assertThrows(IOException.class, () -> MetricsLog.read(file.toString()));
    assertTrue(e.getMessage().contains("bad.jsonl line 1") && e.getMessage().contains("'gap'"), e.getMessage());
    Files.writeString(file, "\n{\"kind\":\"stage\",\"stage\":\"round x\",\"top_k\":20}\n", StandardCharsets.UTF_8);
    e = assertThrows(IOException.class, () -> MetricsLog.read(file.toString()));
    assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("round x"), e.getMessage());
    Files.writeString(file, "{not json\n", StandardCharsets.UTF_8);
    e = assertThrows(IOException.class, () -> MetricsLog.read(file.toString()));
    assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
  }
}
