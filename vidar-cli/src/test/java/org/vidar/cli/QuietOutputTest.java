package org.vidar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quiet by default (issue 14 item 2): a run prints its results and nothing of the JVM, netlib or Spark;
 * {@code --verbose} brings the logs back, {@code --quiet} leaves errors alone. Each run is a fresh JVM,
 * as the loggers are process-wide; the JVM's incubator-module line stays (no Java 17 option silences
 * it), and the launcher is tested on the script itself with a stand-in {@code java}.
 */
class QuietOutputTest {
  private static final String INCUBATOR = "WARNING: Using incubator modules: jdk.incubator.vector";
  @TempDir static Path tmp;
  private static Path data;

  @BeforeAll
  static void synth() {
    data = tmp.resolve("data");
    CommandsTest.Run synth = CommandsTest.run("synth", "--out", data.toString(), "-n", "40", "-c", "5", "--level",
        "video", "--threads", "1", "--shards", "2");
    assertEquals(ExitCodes.OK, synth.code(), synth::toString);
  }

  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** {@code vidar args} in a new JVM with this one's options (the launcher's: --add-modules, --add-opens). */
  private static Result vidar(String... args) throws IOException, InterruptedException {
    return vidar(List.of(), args);
  }

  /**
   * As above, telling the JVM that stderr is a terminal, as the launcher does when it is: stderr
   * still goes to a file, so that the test can read what a terminal would show.
   */
  private static Result onATerminal(String... args) throws IOException, InterruptedException {
    return vidar(List.of("-D" + Progress.TERMINAL_PROPERTY + "=true"), args);
  }

  private static Result vidar(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.addAll(jvmOptions);
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("-Dio.netty")
          || a.equals("-XX:+IgnoreUnrecognizedVMOptions")) {
        command.add(a);
      }
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(Arrays.asList(args));
    return run(new ProcessBuilder(command));
  }

  private static Result run(ProcessBuilder pb) throws IOException, InterruptedException {
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the run ends");
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private String[] train(String engine, String... more) {
    List<String> args = new ArrayList<>(List.of("train", "--engine", engine, "--classes", "5", "--train",
        data.resolve("video").resolve("train*").toString(), "--validate",
        data.resolve("video").resolve("validate*").toString(), "--out",
        tmp.resolve("model-" + engine + String.join("", more)).toString()));
    if (engine.equals("spark")) {
      args.addAll(List.of("--master", "local[1]", "--work-dir", tmp.resolve("work").toString()));
    }
    args.addAll(Arrays.asList(more));
    return args.toArray(String[]::new);
  }

  /** stderr's lines but the JVM's incubator-module line, which stays. */
  private static List<String> errLines(Result r) {
    return r.err().lines().filter(l -> !l.equals(INCUBATOR)).toList();
  }

  @Test
  void aSparkTrainingSaysNothingButItsResults() throws Exception {
    Result r = vidar(train("spark"));
    assertEquals(ExitCodes.OK, r.code(), r::toString);
    for (String line : errLines(r)) {
      for (String noise : List.of("INFO", "WARN", "netlib", "JNIBLAS", "loopback", "SPARK_LOCAL_IP", "SLF4J",
          "log4j", "NativeCodeLoader")) {
        assertFalse(line.contains(noise), () -> "\"" + noise + "\" on stderr\n" + r);
      }
    }
    assertEquals(1, r.out().lines().filter(l -> l.startsWith("kernels: ")).count(), r::toString);
    assertTrue(r.out().contains("round 1 heads"), r::toString);
  }

  @Test
  void verboseBringsTheLogsBackAtInfo() throws Exception {
    Result r = vidar(train("local", "--verbose"));
    assertEquals(ExitCodes.OK, r.code(), r::toString);
    assertTrue(r.err().contains("INFO KernelProvider: Kernels: "), r::toString);
    assertTrue(r.err().contains("INFO InstanceBuilder: Using dev.ludovic.netlib.blas."), r::toString);
  }

  @Test
  void quietLeavesResultsAndErrorsAlone() throws Exception {
    Result r = vidar("--quiet", "synth", "--out", tmp.resolve("quiet").toString(), "-n", "200", "-c", "5",
        "--level", "video", "--threads", "1", "--shards", "2");
    assertEquals(ExitCodes.OK, r.code(), r::toString);
    assertEquals(List.of(), errLines(r), r::toString);
    assertTrue(r.out().contains("wrote "), r::toString);
    Result normal = vidar("synth", "--out", tmp.resolve("normal").toString(), "-n", "200", "-c", "5",
        "--level", "video", "--threads", "1", "--shards", "2");
    assertEquals(List.of(), errLines(normal), "no progress when stderr is not a terminal\n" + normal);
    Result terminal = onATerminal("synth", "--out", tmp.resolve("terminal").toString(), "-n", "200", "-c", "5",
        "--level", "video", "--threads", "1", "--shards", "2");
    assertTrue(terminal.err().contains("synth 100%"), () -> "progress on a terminal\n" + terminal);
    Result quietTerminal = onATerminal("-q", "synth", "--out", tmp.resolve("quiet-terminal").toString(), "-n", "200",
        "-c", "5", "--level", "video", "--threads", "1", "--shards", "2");
    assertEquals(List.of(), errLines(quietTerminal), "--quiet: no progress on a terminal either\n" + quietTerminal);
    Result after = vidar(train("local", "-q"));
    assertEquals(ExitCodes.OK, after.code(), after::toString);
    assertEquals(List.of(), errLines(after), "-q after the subcommand's name too\n" + after);
    Result error = vidar("-q", "eval", "-m", "m=" + tmp.resolve("no-model"), data.resolve("video").toString());
    assertEquals(ExitCodes.FAILED, error.code(), error::toString);
    assertTrue(error.err().contains("vidar eval: "), () -> "errors still said\n" + error);
  }

  /**
   * On a terminal, training shows each step's progress on one line of stderr, redrawn in place and
   * erased when the step is over, so that stdout's table stays whole; on Spark the running stage's
   * tasks, and with --spark-ui the web UI's address.
   */
  @Test
  void aTerminalSeesEveryStepsProgress() throws Exception {
    Result local = onATerminal(train("local", "--hidden", "8", "--pretrain-epochs", "2", "--trunk-steps", "3"));
    assertEquals(ExitCodes.OK, local.code(), local::toString);
    for (String step : List.of("\r\033[Kloading ", "\r\033[Kpretrain epoch 1/2 ", "\r\033[Kround 1 embeddings ",
        "\r\033[Kround 1 heads ", "\r\033[Kround 1 trunk ", "\r\033[Kvalidation ")) {
      assertTrue(local.err().contains(step), () -> "progress of " + step.trim() + "\n" + local);
    }
    assertTrue(local.err().contains("groups/s") && local.err().contains("steps/s"), local::toString);
    assertTrue(local.err().contains("iRprop+ step "), local::toString);
    assertFalse(local.out().contains("\r") || local.out().contains("\033"), "stdout has no progress\n" + local);
    assertTrue(local.out().contains("round 1 trunk"), local::toString);

    Result spark = onATerminal(train("spark", "--spark-ui"));
    assertEquals(ExitCodes.OK, spark.code(), spark::toString);
    assertEquals(1, spark.err().lines().filter(l -> l.startsWith("Spark UI: http://")).count(), spark::toString);
    assertTrue(spark.err().contains("(Spark stage ") && spark.err().contains(" tasks"), spark::toString);
  }

  /**
   * The launcher hands stderr to the JVM itself: every byte is there, an unfinished progress line
   * too, as soon as the run's exit status is (a filter that outlived the JVM lost the last lines of
   * stderr redirected to a file), with java's exit code; --quiet drops its own OpenBLAS core warning.
   */
  @Test
  void theLauncherPassesStderrWholeAndOnTime() throws Exception {
    Path root = tmp.resolve("launcher");
    Path target = Files.createDirectories(root.resolve("vidar-cli").resolve("target"));
    Files.copy(Path.of("..", "vidar").toAbsolutePath().normalize(), root.resolve("vidar"));
    Files.writeString(target.resolve("runtime-classpath.txt"), "lib.jar");
    Files.writeString(target.resolve("jvm-options.txt"), "--add-modules=jdk.incubator.vector");
    Files.writeString(target.resolve(".vidar-built"), "");
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(java, String.join("\n", "#!/usr/bin/env bash",
        "printf 'NOTE: Picked up JDK_JAVA_OPTIONS: -Xss2m\\n' >&2",
        "printf '" + INCUBATOR + "\\n' >&2",
        "printf 'line one\\nWARNING: Using incubator modules: jdk.incubator.vector\\nsynth  50%%\\rsynth 100%%' >&2",
        "echo \"args: $*\"",
        "exit 3", ""), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("vidar").toString(), "--quiet", "demo");
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("OPENBLAS_CORETYPE", "Haswell");
    Result r = run(pb);
    assertEquals(3, r.code(), r::toString);
    assertTrue(r.out().contains("--add-modules=jdk.incubator.vector"), r::toString);
    assertTrue(r.out().contains("org.vidar.cli.Main --quiet demo"), r::toString);
    assertEquals("NOTE: Picked up JDK_JAVA_OPTIONS: -Xss2m\n" + INCUBATOR + "\nline one\n" + INCUBATOR
        + "\nsynth  50%\rsynth 100%", r.err(), "all of stderr, at once\n" + r);
  }
}
