package org.vidar.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The Spark session Vidar's jobs run in: quiet (no web UI), bound to loopback in local mode, and,
 * on a cluster, with Vidar's application jar shipped to the executors.
 */
public final class SparkSessions {
  /** System property naming Vidar's application jar (the {@code ./vidar} launcher sets it). */
  public static final String APP_JAR = "vidar.appJar";

  private SparkSessions() {}

  /** The master a session started with {@code requested} runs on: it, or spark-submit's, or local[*]. */
  public static String master(String requested) {
    return requested != null ? requested : System.getProperty("spark.master", "local[*]");
  }

  /**
   * A session on {@code master} (local[N] or spark://host:port) named {@code appName}; a null
   * master takes the one spark-submit set ({@code spark.master}), or {@code local[*]}.
   *
   * @throws IllegalStateException on a cluster when nothing gives the executors Vidar's classes:
   *     neither {@code spark.jars} (spark-submit sets it) nor {@value #APP_JAR}
   */
  public static SparkSession start(String master, String appName) {
    String effective = master(master);
    SparkSession.Builder builder = SparkSession.builder().master(effective).appName(appName)
        .config("spark.ui.enabled", "false");
    if (effective.startsWith("local")) {
      // Local mode talks to itself only: bind to loopback rather than the machine's address.
      builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
    } else if (System.getProperty("spark.jars") == null) {
      String jar = System.getProperty(APP_JAR);
      if (jar == null || !new java.io.File(jar).isFile()) {
        throw new IllegalStateException("master " + effective + ": the executors need Vidar's classes, but no "
            + "application jar was found" + (jar == null ? "" : " at " + jar) + "; build it with 'mvn -DskipTests "
            + "package' (vidar-cli/target/vidar-cli-*-spark-app.jar), or use spark-submit with that jar");
      }
      builder.config("spark.jars", new java.io.File(jar).toURI().toString());
    }
    return builder.getOrCreate();
  }
}
