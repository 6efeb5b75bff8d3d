package org.vidar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vidar demo}: synth, inspect twice, train and eval, on a small dataset with the default frame counts. */
class DemoCommandTest {
  @TempDir Path tmp;

  @Test
  void demoRunsEveryStep() {
    Path dir = tmp.resolve("demo");
    CommandsTest.Run r = CommandsTest.run("demo", "--dir", dir.toString(), "-n", "60", "-c", "20");
    assertEquals(ExitCodes.OK, r.code(), r::toString);
    for (String step : new String[] {"$ vidar synth", "$ vidar inspect", "$ vidar train", "$ vidar eval",
        "$ vidar report"}) {
      assertTrue(r.out().contains(step), step + "\n" + r);
    }
    assertTrue(r.out().contains("wrote 48 train + 12 validate videos, 20 classes"), r::toString);
    assertTrue(r.out().contains("videos: 60\n"), r::toString);
    assertTrue(r.out().contains("oracle: 12 videos predicted, 0 labelled videos without a prediction"), r::toString);
    assertTrue(r.out().contains("round 1 heads") && r.out().contains("round 1 trunk"), r::toString);
    // The default model has no trunk: no pre-training, and Stage 1 says how many videos a second it ran.
    assertTrue(r.out().contains("no pre-training: the model has no trunk"), r::toString);
    String heads = r.out().lines().filter(l -> l.startsWith("round 1 heads")).findFirst().orElseThrow();
    String[] cells = heads.trim().split("\\s+");
    assertTrue(cells[4].matches("\\d+") && Long.parseLong(cells[4]) > 0, "videos/s in: " + heads);
    assertTrue(r.out().contains("videos/s"), r::toString);
    assertTrue(r.out().contains("model: 12 videos scored by the model"), r::toString);
    assertTrue(Files.isRegularFile(dir.resolve("per-class.csv")));
    assertTrue(Files.isRegularFile(dir.resolve("model").resolve("model.safetensors")));
    // The report, and where it is said.
    assertTrue(Files.isRegularFile(dir.resolve("model").resolve("metrics.jsonl")));
    assertTrue(Files.isRegularFile(dir.resolve("report.html")));
    assertTrue(r.out().contains("the training report (charts, per-class AP beside the oracle's, the model): "
        + dir.resolve("report.html").toAbsolutePath().normalize().toUri()), r::toString);
  }
}
