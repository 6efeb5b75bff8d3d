package org.vidar.cli;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Ctrl-C (or a kill signal) while a command runs. The JVM then runs its shutdown hooks and exits
 * with 128 + the signal (130 for SIGINT); Spark's hook stops the SparkContext, and the job the
 * command waits on fails ("Job 2 cancelled because SparkContext was shut down"), which used to end
 * in a 57-line stack trace. Instead, one line says the command was interrupted, printed once by
 * whoever is first: the hook this installs (the only one sure to run when the command is busy on
 * the local engine), or the command's error handler, which maps the cancelled job to
 * {@link ExitCodes#INTERRUPTED}. Logging stops then: the cancelled job's tasks fail as they are
 * cleaned up under them, which is no news.
 *
 * <p>Its state is the process's: a JVM shuts down once.
 */
final class Interruption {
  private static final AtomicBoolean INSTALLED = new AtomicBoolean();
  private static final AtomicBoolean SHUTTING_DOWN = new AtomicBoolean();
  private static final AtomicBoolean REPORTED = new AtomicBoolean();
  private static volatile boolean exiting;

  private Interruption() {}

  /** Watches for a shutdown before {@link #exiting()}: {@code command} (such as {@code vidar train}) names it. */
  static void install(String command) {
    if (INSTALLED.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        if (!exiting) {
          SHUTTING_DOWN.set(true);
          report(System.err::println, command);
        }
      }, "vidar-interrupted"));
    }
  }

  /** The command has ended and the process exits with its code: the shutdown that follows is no interruption. */
  static void exiting() {
    exiting = true;
  }

  /**
   * Whether {@code failure} is the way a command ends when it is interrupted: the process is
   * shutting down, the thread was interrupted, or the Spark job was cancelled because its context
   * was shut down.
   */
  static boolean isInterruption(Throwable failure) {
    if (SHUTTING_DOWN.get()) {
      return true;
    }
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 100; t = t.getCause(), depth++) {
      if (t instanceof InterruptedException || t instanceof ClosedByInterruptException
          || (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException))) {
        return true;
      }
      String message = String.valueOf(t.getMessage());
      if ((t.getClass().getName().startsWith("org.apache.spark.") && message.contains("cancelled because SparkContext "
          + "was shut down")) || (t instanceof IllegalStateException && (message.contains("SparkContext has been "
          + "shutdown") || message.contains("Cannot call methods on a stopped SparkContext")))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Says {@code command: interrupted} on {@code err}: once in a process whose shutdown this
   * watches (its hook and the command's error handler may both get there), every time otherwise.
   */
  static void report(Consumer<String> err, String command) {
    if (!INSTALLED.get()) {
      err.accept(command + ": interrupted");
    } else if (REPORTED.compareAndSet(false, true)) {
      err.accept(command + ": interrupted");
      quietLogs();
    }
  }

  /**
   * Turns logging off for the rest of the shutdown: the tasks of the cancelled job go on until
   * Spark's executors stop, and fail as their data are cleaned up under them, which says nothing
   * the line above did not.
   */
  private static void quietLogs() {
    try {
      org.apache.logging.log4j.core.config.Configurator.setAllLevels(
          org.apache.logging.log4j.LogManager.ROOT_LOGGER_NAME, org.apache.logging.log4j.Level.OFF);
    } catch (LinkageError | RuntimeException e) {
      // another logging backend than Spark's log4j: its messages stay
    }
  }
}
