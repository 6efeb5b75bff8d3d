package org.vidar.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.vidar.data.ProgressSink;

/**
 * A command's one progress line on stderr, for every step the core and Spark report: a
 * {@link Progress} bar per step (rate, ETA), the optimizer's latest iteration and loss beside it,
 * and a running Spark stage's tasks, either beside the step's own count or, while the step has
 * counted nothing on this machine (its work runs in executors), as the bar itself. Calls come from
 * any thread (the local engine's workers), hence the locking; a step that ends erases its line.
 */
final class ProgressLine implements ProgressSink, AutoCloseable {
  private final PrintStream err;
  private final boolean shown;
  private final LongSupplier clock;
  private Progress bar;
  private String step;
  private String iteration = "";
  /** The furthest iteration told in this step: the class groups run at once, each at its own pass. */
  private long furthest;
  private String tasks = "";
  private Progress tasksBar;
  private String tasksStage;

  ProgressLine(PrintStream err, boolean shown, LongSupplier clock) {
    this.err = err;
    this.shown = shown;
    this.clock = clock;
  }

  /** The line on this process's stderr, shown when {@link Progress#shows} (a terminal, no --quiet). */
  static ProgressLine onStderr() {
    return new ProgressLine(System.err, Progress.shows(), System::nanoTime);
  }

  @Override
  public synchronized void begin(String stepName, long total, String unit) {
    clear();
    step = stepName;
    bar = new Progress(stepName, total, unit, err, shown, clock);
    bar.draw();
  }

  @Override
  public synchronized void advance(long units) {
    if (bar != null) {
      bar.step(units);
    }
  }

  @Override
  public synchronized void iteration(String what, long n, double loss) {
    furthest = Math.max(furthest, n);
    iteration = what + " " + furthest + (Double.isNaN(loss) ? "" : String.format(Locale.ROOT, ", loss %.5f", loss));
    if (bar != null) {
      bar.note(note());
      bar.draw(); // once an iteration, a pass over the data: never too often, and shown as it happens
    }
  }

  @Override
  public synchronized void tasks(String stage, int done, int total) {
    if (bar == null || bar.done() == 0) {
      // Nothing counted here: the stage's tasks are the step's progress.
      if (tasksBar == null && stage.equals(tasksStage)) {
        return; // its last task said so already; this is the stage's end
      }
      if (tasksBar == null || !stage.equals(tasksStage)) {
        tasksStage = stage;
        tasksBar = new Progress(step == null ? stage : step + " (" + stage + ")", total, "tasks", err, shown, clock);
      }
      tasksBar.update(done);
      if (done >= total) {
        tasksBar.draw();
        tasksBar = null; // its line stays until the next draw replaces it
      }
      return;
    }
    tasks = done < total ? String.format(Locale.ROOT, "%s: %d/%d tasks", stage, done, total) : "";
    bar.note(note());
  }

  private String note() {
    return iteration.isEmpty() || tasks.isEmpty() ? iteration + tasks : iteration + "; " + tasks;
  }

  @Override
  public synchronized void end() {
    clear();
  }

  /** Erases the line: a command's results follow on a clean line. */
  @Override
  public synchronized void close() {
    clear();
  }

  private void clear() {
    if (shown && (bar != null || tasksStage != null)) {
      err.print(Progress.REWRITE);
      err.flush();
    }
    bar = null;
    tasksBar = null;
    tasksStage = null;
    step = null;
    iteration = "";
    furthest = 0;
    tasks = "";
  }
}
