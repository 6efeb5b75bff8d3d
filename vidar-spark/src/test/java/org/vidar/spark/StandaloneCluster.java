package org.vidar.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on 127.0.0.1 made of separate JVMs (one master, some workers) started
 * from the Maven runtime classpath alone, with no Spark distribution: {@code SPARK_HOME} is a
 * temporary folder with an empty {@code jars/}. Everything it writes lives under that folder,
 * deleted on {@link #close}. Every wait is bounded, so a broken cluster fails instead of hanging.
 */
final class StandaloneCluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);
  /** Start-up speed: C1 only and the serial collector roughly halve the time to a running job. */
  static final String FAST_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";
  private static final Pattern MASTER_URL = Pattern.compile("Starting Spark master at (spark://[0-9.]+:\\d+)");

  private final Path home;
  private final List<String> runtimeClasspath;
  private final String javaOptions;
  private final List<Process> daemons = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private String masterUrl;

  /**
   * @param runtimeClasspath the module's runtime classpath (from {@code dependency:build-classpath})
   * @param javaOptions the JVM options every Spark JVM needs on Java 17 ({@code --add-opens} ...)
   */
  StandaloneCluster(List<String> runtimeClasspath, String javaOptions) throws IOException {
    this.home = Files.createTempDirectory("vidar-cluster-");
    this.runtimeClasspath = List.copyOf(runtimeClasspath);
    this.javaOptions = javaOptions;
    Files.createDirectories(home.resolve("jars"));
    Files.createDirectories(home.resolve("local"));
    Files.createDirectories(home.resolve("tmp"));
  }

  /** The temporary folder: {@code SPARK_HOME}, logs, work and local directories. */
  Path home() {
    return home;
  }

  String masterUrl() {
    return masterUrl;
  }

  /** Options for the executors the workers launch: Java 17 opens, fast start-up, temp dir inside home. */
  String executorJavaOptions() {
    return javaOptions + " " + FAST_JVM + " -Djava.io.tmpdir=" + home.resolve("tmp");
  }

  /** Starts the master and waits until it is leader. */
  void startMaster() throws IOException, InterruptedException {
    Path log = start("master", "org.apache.spark.deploy.master.Master",
        List.of("--host", "127.0.0.1", "--port", "0", "--webui-port", "0"));
    waitFor(log, "I have been elected leader");
    Matcher m = MASTER_URL.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
    if (!m.find()) {
      throw new IllegalStateException("no master URL in " + log + "\n" + logTails());
    }
    masterUrl = m.group(1);
  }

  /** Starts workers (each {@code cores} cores, {@code memory}) and waits until all are registered. */
  void startWorkers(int count, int cores, String memory) throws IOException, InterruptedException {
    List<Path> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Path work = Files.createDirectories(home.resolve("work-" + i));
      started.add(start("worker-" + i, "org.apache.spark.deploy.worker.Worker",
          List.of("--host", "127.0.0.1", "--port", "0", "--webui-port", "0", "--cores", Integer.toString(cores),
              "--memory", memory, "--work-dir", work.toString(), masterUrl)));
    }
    for (Path log : started) {
      waitFor(log, "Successfully registered with master");
    }
  }

  private Path start(String name, String mainClass, List<String> args) throws IOException {
    Path log = home.resolve(name + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(javaOptions.trim().split("\\s+")));
    cmd.addAll(List.of(FAST_JVM.split(" ")));
    cmd.add("-Xmx256m");
    cmd.add("-Djava.io.tmpdir=" + home.resolve("tmp"));
    cmd.add("-Dspark.master.rest.enabled=false");
    cmd.add("-cp");
    cmd.add(String.join(java.io.File.pathSeparator, runtimeClasspath));
    cmd.add(mainClass);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .directory(home.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("PYSPARK_"));
    env.put("SPARK_HOME", home.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_LOCAL_DIRS", home.resolve("local").toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    logs.add(log);
    daemons.add(pb.start());
    return log;
  }

  /** Waits (bounded) until {@code line} appears in {@code log}; fails early if a daemon died. */
  private void waitFor(Path log, String line) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(line)) {
        return;
      }
      for (Process p : daemons) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a Spark daemon (pid " + p.pid() + ") exited with " + p.exitValue()
              + " while waiting for \"" + line + "\" in " + log + "\n" + logTails());
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no \"" + line + "\" in " + log + " after " + WAIT.toSeconds() + " s\n"
        + logTails());
  }

  /**
   * Packs class folders into one jar for {@code spark.jars}: executors fail to deserialize lambdas
   * (SerializedLambda ClassCastException) when the application is given as a folder.
   */
  Path applicationJar(List<Path> classFolders) throws IOException {
    Path jar = home.resolve("vidar-app.jar");
    Manifest mf = new Manifest();
    mf.getMainAttributes().putValue("Manifest-Version", "1.0");
    java.util.Set<String> seen = new java.util.HashSet<>();
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
      seen.add("META-INF/");
      seen.add("META-INF/MANIFEST.MF");
      for (Path root : classFolders) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
          files = walk.sorted().toList();
        }
        for (Path f : files) {
          if (f.equals(root)) {
            continue;
          }
          String name = root.relativize(f).toString().replace(java.io.File.separatorChar, '/');
          if (Files.isDirectory(f)) {
            name += "/";
          }
          if (!seen.add(name)) {
            continue;
          }
          out.putNextEntry(new JarEntry(name));
          if (!Files.isDirectory(f)) {
            Files.copy(f, out);
          }
          out.closeEntry();
        }
      }
    }
    return jar;
  }

  /** The last lines of every daemon log and executor stderr, for failure messages. */
  String logTails() {
    StringBuilder sb = new StringBuilder();
    List<Path> all = new ArrayList<>(logs);
    try (Stream<Path> walk = Files.walk(home)) {
      walk.filter(p -> p.getFileName().toString().equals("stderr")).sorted().forEach(all::add);
    } catch (IOException | RuntimeException e) {
      sb.append("(could not list executor logs: ").append(e).append(")\n");
    }
    for (Path log : all) {
      sb.append("---- ").append(home.relativize(log)).append(" (last 40 lines)\n");
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        for (String l : lines.subList(Math.max(0, lines.size() - 40), lines.size())) {
          sb.append(l).append('\n');
        }
      } catch (IOException e) {
        sb.append("(unreadable: ").append(e).append(")\n");
      }
    }
    return sb.toString();
  }

  /** TERMs the workers, then the master (their own PIDs), bounded; then deletes the folder. */
  @Override
  public void close() throws IOException, InterruptedException {
    try {
      for (int i = daemons.size() - 1; i >= 0; i--) {
        stop(daemons.get(i));
      }
    } finally {
      try (Stream<Path> walk = Files.walk(home)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy(); // SIGTERM to the JVM itself: Spark's shutdown hooks stop its executors
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
