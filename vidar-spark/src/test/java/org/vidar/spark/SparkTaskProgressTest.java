package org.vidar.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vidar.data.ProgressSink;

/**
 * On the driver, a Spark job's stage reports its tasks done up to its total through the sink, and
 * a Vidar step names the jobs it starts.
 */
class SparkTaskProgressTest {
  private static SparkSession session;

  @BeforeAll
  static void start() {
    session = SparkSessions.start("local[2]", "vidar-progress-test");
  }

  @AfterAll
  static void stop() {
    if (session != null) {
      session.stop();
    }
  }

  /** The tasks events the listener sent, as "stage done/total". */
  static final class Tasks implements ProgressSink {
    final List<String> stages = new ArrayList<>();
    final List<int[]> counts = new ArrayList<>();
    final List<String> steps = new ArrayList<>();

    @Override
    public synchronized void begin(String step, long total, String unit) {
      steps.add(step);
    }

    @Override
    public synchronized void tasks(String stage, int done, int total) {
      stages.add(stage);
      counts.add(new int[] {done, total});
    }

    synchronized int size() {
      return counts.size();
    }
  }

  @Test
  void aJobsTasksAreCountedUpToTheTotal() throws InterruptedException {
    Tasks sink = new Tasks();
    ProgressSink progress = SparkTaskProgress.register(session, sink);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
    progress.begin("round 1 heads", 7, "groups");
    assertEquals("round 1 heads", session.sparkContext().getLocalProperty("spark.job.description"),
        "the step names the jobs it starts (the Spark UI shows it)");
    long sum = sc.parallelize(IntStream.range(0, 700).boxed().toList(), 7).map(i -> i * 2).count();
    progress.end();
    assertNull(session.sparkContext().getLocalProperty("spark.job.description"));
    assertEquals(700, sum);
    assertEquals(List.of("round 1 heads"), sink.steps);
    // The listener bus delivers after the job returns: wait for the stage's last event.
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline && (sink.size() == 0 || sink.counts.get(sink.size() - 1)[0] < 7
        || sink.size() < 9)) {
      Thread.sleep(20);
    }
    synchronized (sink) {
      // Submitted (0/7), each of the 7 tasks, completed (7/7).
      assertEquals(9, sink.counts.size(), () -> sink.stages.toString());
      String stage = sink.stages.get(0);
      assertTrue(stage.startsWith("Spark stage "), stage);
      assertTrue(sink.stages.stream().allMatch(stage::equals), sink.stages::toString);
      for (int i = 0; i < sink.counts.size(); i++) {
        assertEquals(7, sink.counts.get(i)[1], "the stage's tasks");
        assertEquals(Math.min(i, 7), sink.counts.get(i)[0], "tasks done, one more each");
      }
    }
  }
}
