package org.vidar.spark;

import org.apache.spark.sql.SparkSession;

/** The Spark session Vidar's jobs run in: quiet (no web UI), and bound to loopback in local mode. */
public final class SparkSessions {
  private SparkSessions() {}

  /** A session on {@code master} (local[N] or spark://host:port) named {@code appName}. */
  public static SparkSession start(String master, String appName) {
    SparkSession.Builder builder = SparkSession.builder().master(master).appName(appName)
        .config("spark.ui.enabled", "false");
    if (master.startsWith("local")) {
      // Local mode talks to itself only: bind to loopback rather than the machine's address.
      builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
    }
    return builder.getOrCreate();
  }
}
