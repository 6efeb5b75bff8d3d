package org.vidar.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session Vidar's jobs run in: quiet (no web UI unless asked for), bound to loopback in local mode, and,
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
    return start(master, appName, false);
  }

  /** As above, with Spark's web UI when {@code ui} (its address: {@link #uiUrl}). */
  public static SparkSession start(String master, String appName, boolean ui) {
    return SparkSession.builder().config(conf(master, appName, ui)).getOrCreate();
  }

  /** The web UI's address of a session started with its UI on. */
  public static java.util.Optional<String> uiUrl(SparkSession session) {
    scala.Option<String> url = session.sparkContext().uiWebUrl();
    return url.isDefined() ? java.util.Optional.of(url.get()) : java.util.Optional.empty();
  }

  /** The settings {@link #start(String, String, boolean)} starts a session with (see there). */
  static SparkConf conf(String master, String appName, boolean ui) {
    String effective = master(master);
    SparkConf conf = new SparkConf().setMaster(effective).setAppName(appName)
        .set("spark.ui.enabled", Boolean.toString(ui));
    if (effective.startsWith("local")) {
      // Local mode talks to itself only: bind to loopback rather than the machine's address.
      conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
    } else if (System.getProperty("spark.jars") == null) {
      String jar = System.getProperty(APP_JAR);
      if (jar == null || !new java.io.File(jar).isFile()) {
        throw new IllegalStateException("master " + effective + ": the executors need Vidar's classes, but no "
            + "application jar was found" + (jar == null ? "" : " at " + jar) + "; build it with 'mvn -DskipTests "
            + "package' (vidar-cli/target/vidar-cli-*-spark-app.jar), or use spark-submit with that jar");
      }
      conf.set("spark.jars", new java.io.File(jar).toURI().toString());
    }
    return conf;
  }
}
