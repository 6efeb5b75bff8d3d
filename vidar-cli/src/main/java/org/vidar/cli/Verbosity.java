package org.vidar.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * How much a run says on stderr besides its results and errors. By default warnings only (the levels
 * in log4j2.properties); {@code --quiet} keeps errors alone and no progress, {@code --verbose} brings
 * every logger back at INFO. A process-wide setting, as the loggers it sets are.
 */
final class Verbosity {
  private static volatile boolean quiet;

  private Verbosity() {
  }

  /**
   * Sends java.util.logging (netlib's "Using dev.ludovic.netlib.blas.JNIBLAS", a two-line message with
   * a date) through SLF4J to log4j, so one configuration sets every logger's level. Before the BLAS loads.
   */
  static void routeJavaUtilLogging() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  /** Errors only, and no progress bars. */
  static void quiet() {
    quiet = true;
    setAll(Level.ERROR);
  }

  /** Every logger at INFO (Spark's, netlib's and Vidar's own). */
  static void verbose() {
    quiet = false;
    setAll(Level.INFO);
  }

  static boolean isQuiet() {
    return quiet;
  }

  private static void setAll(Level level) {
    try {
      Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, level);
    } catch (LinkageError | RuntimeException e) {
      // another logging backend than Spark's log4j: its own configuration decides
    }
  }
}
