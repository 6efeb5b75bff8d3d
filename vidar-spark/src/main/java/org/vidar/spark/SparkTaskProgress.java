package org.vidar.spark;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.SparkSession;
import org.vidar.data.ProgressSink;

/**
 * A driver-side listener that tells a {@link ProgressSink} how far the running Spark stage is: its
 * tasks done out of its tasks. The work itself runs in executors, where no sink is; this is how a
 * Spark run shows progress. Vidar's own steps ("round 1 heads") say what the stage is for, and
 * {@link #register} names Spark's jobs after them, so the Spark UI shows them too.
 */
public final class SparkTaskProgress extends SparkListener {
  private final ProgressSink sink;
  // Events reach a listener on one thread of Spark's listener bus: plain maps do.
  /** The running stages' tasks: {done, total} by stage id. */
  private final Map<Integer, int[]> running = new HashMap<>();

  SparkTaskProgress(ProgressSink sink) {
    this.sink = sink;
  }

  /**
   * Listens to {@code session}'s jobs on behalf of {@code sink}, and returns the sink to report
   * Vidar's steps to: the same, but a step that begins also names the Spark jobs this thread starts
   * (their description in the UI).
   */
  public static ProgressSink register(SparkSession session, ProgressSink sink) {
    SparkContext sc = session.sparkContext();
    sc.addSparkListener(new SparkTaskProgress(sink));
    return new ProgressSink() {
      @Override
      public void begin(String step, long total, String unit) {
        sc.setJobDescription(step);
        sink.begin(step, total, unit);
      }

      @Override
      public void advance(long units) {
        sink.advance(units);
      }

      @Override
      public void iteration(String what, long iteration, double loss) {
        sink.iteration(what, iteration, loss);
      }

      @Override
      public void tasks(String stage, int done, int total) {
        sink.tasks(stage, done, total);
      }

      @Override
      public void end() {
        sink.end();
        sc.setJobDescription(null);
      }
    };
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
    StageInfo info = submitted.stageInfo();
    int[] count = {0, info.numTasks()};
    running.put(info.stageId(), count);
    sink.tasks(label(info.stageId()), 0, count[1]);
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    int[] count = running.get(taskEnd.stageId());
    // A failed or killed attempt is retried: only the successful ones count.
    if (count == null || taskEnd.taskInfo() == null || !taskEnd.taskInfo().successful()) {
      return;
    }
    count[0] = Math.min(count[1], count[0] + 1);
    sink.tasks(label(taskEnd.stageId()), count[0], count[1]);
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted completed) {
    int id = completed.stageInfo().stageId();
    int[] count = running.remove(id);
    if (count != null) {
      sink.tasks(label(id), count[1], count[1]); // over, whatever its last tasks said
    }
  }

  /** The stage as the progress line names it, beside the Vidar step it serves. */
  private static String label(int stageId) {
    return "Spark stage " + stageId;
  }
}
