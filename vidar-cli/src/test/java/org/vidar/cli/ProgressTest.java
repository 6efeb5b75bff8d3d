package org.vidar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The progress bar and the progress line: rate and time left, an optimizer's loss and a Spark
 * stage's tasks beside them, drawn in place on a terminal; nothing at all when not shown (stderr not
 * a terminal, or {@code --quiet}). The clock is a counter the test moves.
 */
class ProgressTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private long now = 1_000_000_000L;

  private String written() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** The last drawn line, without the escape that rewrites it. */
  private String lastLine() {
    String all = written();
    return all.substring(all.lastIndexOf(Progress.REWRITE) + Progress.REWRITE.length());
  }

  private void seconds(double s) {
    now += (long) (s * 1e9);
  }

  @Test
  void aBarShowsItsRateAndTimeLeft() {
    Progress p = new Progress("round 1 embeddings", 2000, "videos", err, true, () -> now);
    seconds(4);
    p.update(500);
    assertEquals("round 1 embeddings  25% [######                  ] 500/2000 videos  125 videos/s  ETA 12s",
        lastLine());
    seconds(0.1);
    p.update(600);
    assertFalse(lastLine().contains("600/2000"), "at most five redraws a second: " + lastLine());
    seconds(95.9);
    p.update(1000);
    assertTrue(lastLine().contains(" 50% ") && lastLine().contains("1000/2000 videos  10 videos/s  ETA 1m40s"),
        lastLine());
    p.close();
    assertTrue(written().endsWith(Progress.REWRITE + lastLine()) && lastLine().endsWith("ETA 1m40s\n"),
        "closing draws a last time and ends the line, which stays: " + written());
  }

  @Test
  void bytesAndUnknownTotals() {
    Progress p = new Progress("loading", 4L << 20, "bytes", err, true, () -> now);
    seconds(2);
    p.update(1L << 20);
    assertEquals("loading  25% [######                  ] 1.0 MiB / 4.0 MiB  512.0 KiB/s  ETA 6s", lastLine());
    Progress counts = new Progress("pretrain epoch 1/20", 0, "batches", err, true, () -> now);
    seconds(0.5);
    counts.update(3);
    assertEquals("pretrain epoch 1/20 3 batches  6.00 batches/s", lastLine(), "no total: no bar, no ETA");
  }

  @Test
  void nothingIsWrittenWhenNotShown() {
    Progress p = new Progress("synth", 100, "videos", err, false, () -> now);
    seconds(1);
    p.update(50);
    p.note("whatever");
    p.draw();
    p.close();
    ProgressLine line = new ProgressLine(err, false, () -> now);
    line.begin("round 1 heads", 10, "groups");
    line.advance(3);
    line.iteration("L-BFGS iteration", 4, 0.5);
    line.tasks("Spark stage 3", 2, 8);
    line.end();
    line.close();
    assertEquals("", written());
  }

  @Test
  void theTerminalIsTheLaunchersWord() {
    String before = System.getProperty(Progress.TERMINAL_PROPERTY);
    try {
      System.setProperty(Progress.TERMINAL_PROPERTY, "true");
      assertTrue(Progress.stderrIsTerminal());
      System.setProperty(Progress.TERMINAL_PROPERTY, "false");
      assertFalse(Progress.stderrIsTerminal());
      assertFalse(Progress.shows(), "not a terminal: no progress");
    } finally {
      if (before == null) {
        System.clearProperty(Progress.TERMINAL_PROPERTY);
      } else {
        System.setProperty(Progress.TERMINAL_PROPERTY, before);
      }
    }
  }

  @Test
  void theLineShowsTheLossAndSparkTasksAndErasesItselfAtTheEnd() {
    ProgressLine line = new ProgressLine(err, true, () -> now);
    line.begin("round 1 trunk", 30, "steps");
    assertEquals("round 1 trunk   0% [                        ] 0/30 steps  0.00 steps/s", lastLine());
    seconds(1);
    line.advance(1);
    line.iteration("iRprop+ step", 1, 1.234567);
    assertTrue(lastLine().endsWith("1/30 steps  1.00 steps/s  ETA 29s  iRprop+ step 1, loss 1.23457"), lastLine());
    seconds(1);
    line.tasks("Spark stage 5", 3, 8);
    assertTrue(lastLine().endsWith("ETA 58s  iRprop+ step 1, loss 1.23457; Spark stage 5: 3/8 tasks"), lastLine());
    line.iteration("Adam pass", 1, Double.NaN);
    assertTrue(lastLine().contains("Adam pass 1; Spark stage 5"), "the latest iteration, no loss to tell: " + lastLine());
    line.iteration("Adam pass", 3, Double.NaN);
    line.iteration("Adam pass", 2, Double.NaN); // another class group, behind
    assertTrue(lastLine().contains("Adam pass 3; Spark stage 5"), "the furthest group's pass: " + lastLine());
    line.end();
    assertTrue(written().endsWith(Progress.REWRITE), "the step's line is erased");

    // A step whose work runs in executors counts nothing here: the stage's tasks are its bar.
    line.begin("round 1 heads", 12, "groups");
    seconds(2);
    line.tasks("Spark stage 6", 0, 4);
    seconds(1);
    line.tasks("Spark stage 6", 3, 4);
    assertEquals("round 1 heads (Spark stage 6)  75% [##################      ] 3/4 tasks  3.00 tasks/s  ETA 0s",
        lastLine());
    seconds(1);
    line.tasks("Spark stage 6", 4, 4);
    String done = "round 1 heads (Spark stage 6) 100% [########################] 4/4 tasks  2.00 tasks/s";
    assertEquals(done, lastLine());
    seconds(1);
    line.tasks("Spark stage 6", 4, 4); // the stage's end, after its last task
    assertEquals(done, lastLine(), "said once");
    line.close();
    assertTrue(written().endsWith(Progress.REWRITE), written());
  }
}
