package org.vidar.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which master a session runs on, and that a cluster session refuses to start without Vidar's jar. */
class SparkSessionsTest {

  @Test
  void aMasterGivenWinsThenSparkSubmitsThenLocal() {
    String before = System.getProperty("spark.master");
    try {
      System.clearProperty("spark.master");
      assertEquals("local[*]", SparkSessions.master(null));
      assertEquals("local[2]", SparkSessions.master("local[2]"));
      System.setProperty("spark.master", "spark://10.0.0.1:7077"); // what spark-submit sets
      assertEquals("spark://10.0.0.1:7077", SparkSessions.master(null));
      assertEquals("local[1]", SparkSessions.master("local[1]"));
    } finally {
      restore("spark.master", before);
    }
  }

  @Test
  void aClusterSessionNeedsTheApplicationJar() {
    String jars = System.getProperty("spark.jars");
    String app = System.getProperty(SparkSessions.APP_JAR);
    try {
      System.clearProperty("spark.jars");
      System.clearProperty(SparkSessions.APP_JAR);
      IllegalStateException none = assertThrows(IllegalStateException.class,
          () -> SparkSessions.start("spark://127.0.0.1:1", "test"));
      assertTrue(none.getMessage().contains("the executors need Vidar's classes")
          && none.getMessage().contains("spark-app.jar"), none.getMessage());
      System.setProperty(SparkSessions.APP_JAR, "/no/such/vidar-app.jar");
      IllegalStateException missing = assertThrows(IllegalStateException.class,
          () -> SparkSessions.start("spark://127.0.0.1:1", "test"));
      assertTrue(missing.getMessage().contains("at /no/such/vidar-app.jar"), missing.getMessage());
    } finally {
      restore("spark.jars", jars);
      restore(SparkSessions.APP_JAR, app);
    }
  }

  /** The web UI is off unless asked for ({@code --spark-ui}); local mode binds to loopback either way. */
  @Test
  void theWebUiIsOnlyOnWhenAskedFor() {
    org.apache.spark.SparkConf off = SparkSessions.conf("local[1]", "test", false);
    assertEquals("false", off.get("spark.ui.enabled"));
    org.apache.spark.SparkConf on = SparkSessions.conf("local[1]", "test", true);
    assertEquals("true", on.get("spark.ui.enabled"));
    assertEquals("local[1]", on.get("spark.master"));
    assertEquals("test", on.get("spark.app.name"));
    assertEquals("127.0.0.1", on.get("spark.driver.bindAddress"));
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
