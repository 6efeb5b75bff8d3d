package org.vidar.cli;

import java.io.IOException;
import java.nio.file.Files;
import org.apache.hadoop.util.ShutdownHookManager;
import org.vidar.data.DataPaths;

/**
 * A Spark job's working directory for intermediate data: the one the user named (kept), or a fresh
 * local temporary folder that closing deletes, with whatever a failed job left in it.
 *
 * <p>Close it after the Spark session has stopped: a job's tasks may still read it until then. On
 * Ctrl-C, Spark's shutdown hook stops the session while the command unwinds, so closing leaves
 * the folder to a shutdown hook that Hadoop's hook manager runs after Spark's.
 */
final class WorkDir implements AutoCloseable {
  /** Below Spark's hooks (its context stops at Hadoop priority 40): runs once they are done. */
  private static final int DELETE_PRIORITY = 5;

  private final String path;
  private final boolean temporary;
  private final Runnable deleteAtShutdown;

  private WorkDir(String path, boolean temporary) {
    this.path = path;
    this.temporary = temporary;
    this.deleteAtShutdown = this::delete;
  }

  /** {@code given}, or a new temporary folder when it is null. */
  static WorkDir of(String given) throws IOException {
    if (given != null) {
      return new WorkDir(given, false);
    }
    WorkDir dir = new WorkDir(Files.createTempDirectory("vidar-work-").toString(), true);
    ShutdownHookManager.get().addShutdownHook(dir.deleteAtShutdown, DELETE_PRIORITY);
    return dir;
  }

  String path() {
    return path;
  }

  /** Deletes a temporary folder; a failure to do so is reported, never thrown over the job's outcome. */
  @Override
  public void close() {
    if (!temporary || ShutdownHookManager.get().isShutdownInProgress()) {
      return; // a shutdown: the hook deletes it once Spark has stopped
    }
    delete();
    ShutdownHookManager.get().removeShutdownHook(deleteAtShutdown);
  }

  private void delete() {
    try {
      DataPaths.deleteRecursively(path);
    } catch (IOException e) {
      System.err.println("warning: could not delete the temporary working directory " + path + ": " + e);
    }
  }
}
