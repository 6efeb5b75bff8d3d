package org.vidar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Ctrl-C during a command: one line and exit code 130, not the 57-line stack trace of the Spark
 * job that the shutdown cancelled.
 */
class InterruptionTest {
  @TempDir Path tmp;

  /** A command that fails with the exception it is given. */
  @CommandLine.Command(name = "fails")
  static final class Fails implements Callable<Integer> {
    private final Exception failure;

    Fails(Exception failure) {
      this.failure = failure;
    }

    @Override
    public Integer call() throws Exception {
      throw failure;
    }
  }

  private static String[] run(Exception failure) {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Fails(failure));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> Main.exitCode(ex, cmd));
    return new String[] {Integer.toString(cl.execute()), err.toString()};
  }

  @Test
  void aCancelledJobOrAnInterruptedThreadIsOneLineAndExitCode130() {
    Exception[] interrupted = {new SparkException("Job 2 cancelled because SparkContext was shut down"),
        new java.io.UncheckedIOException(new java.nio.channels.ClosedByInterruptException()),
        new IOException("waiting", new InterruptedException()),
        new IllegalStateException("Cannot call methods on a stopped SparkContext.")};
    for (Exception e : interrupted) {
      String[] r = run(e);
      assertEquals(Integer.toString(ExitCodes.INTERRUPTED), r[0], e + "\n" + r[1]);
      assertEquals("vidar fails: interrupted" + System.lineSeparator(), r[1], e.toString());
    }
    String[] other = run(new IllegalStateException("a bug"));
    assertEquals(Integer.toString(ExitCodes.FAILED), other[0]);
    assertTrue(other[1].contains("unexpected error") && other[1].contains("a bug"), other[1]);
    String[] timeout = run(new java.net.SocketTimeoutException("read timed out"));
    assertEquals(Integer.toString(ExitCodes.FAILED), timeout[0], "a timeout is no interruption");
    String[] spark = run(new SparkException("Job aborted due to stage failure"));
    assertEquals(Integer.toString(ExitCodes.FAILED), spark[0], "a failed job is no interruption");
  }

  /**
   * The real thing: {@code vidar train} on Spark in its own JVM, SIGINT while a job runs. Skipped
   * where the test runs with SIGINT ignored (a background job of a non-interactive shell), as the
   * child inherits that.
   */
  @Test
  void ctrlCDuringSparkTrainingPrintsOneLineAndExits130() throws Exception {
    Path data = tmp.resolve("data");
    CommandsTest.Run synth = CommandsTest.run("synth", "--out", data.toString(), "-n", "40", "-c", "5", "--level",
        "video", "--threads", "1", "--shards", "2");
    assertEquals(ExitCodes.OK, synth.code(), synth::toString);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("-Dio.netty")
          || a.equals("-XX:+IgnoreUnrecognizedVMOptions")) {
        command.add(a); // what Spark needs on Java 17, as the build gives it to this JVM
      }
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "train", "--master",
        "local[1]", "--classes", "5", "--train", data.resolve("video").resolve("train*").toString(), "--out",
        tmp.resolve("model").toString(), "--work-dir", tmp.resolve("work").toString(), "--head-epochs", "1000000",
        "--pretrain-patience", "1000000"));
    Process p = new ProcessBuilder(command).start();
    try {
      Path status = Path.of("/proc", Long.toString(p.pid()), "status");
      assumeTrue(Files.isReadable(status), "needs Linux's /proc to see whether SIGINT is ignored");
      long ignored = Files.readAllLines(status).stream().filter(l -> l.startsWith("SigIgn:"))
          .mapToLong(l -> Long.parseLong(l.substring(7).trim(), 16)).findFirst().orElse(0);
      assumeTrue((ignored & (1L << 1)) == 0, "SIGINT is ignored in this environment; the child inherits that");
      List<String> err = new ArrayList<>();
      CompletableFuture<Void> errReader = CompletableFuture.runAsync(() -> readLines(p.getErrorStream(), err));
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      StringBuilder stdout = new StringBuilder();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        stdout.append(line).append('\n');
        if (line.startsWith("no pre-training")) {
          break; // Stage 1's Spark job starts now
        }
      }
      assertTrue(stdout.toString().contains("no pre-training"), () -> stdout + "\n" + String.join("\n", err));
      Thread.sleep(2000);
      int before;
      synchronized (err) {
        before = err.size();
      }
      new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run stops");
      out.transferTo(java.io.Writer.nullWriter());
      errReader.get(10, TimeUnit.SECONDS);
      List<String> after = err.subList(before, err.size());
      String all = stdout + "--- stderr\n" + String.join("\n", err);
      assertEquals(ExitCodes.INTERRUPTED, p.exitValue(), all);
      assertEquals(1, after.stream().filter(l -> l.contains("interrupted")).count(), all);
      assertTrue(after.contains("vidar train: interrupted"), all);
      assertFalse(after.stream().anyMatch(l -> l.startsWith("\tat ") || l.contains("Exception")), all);
    } finally {
      p.destroyForcibly();
    }
  }

  private static void readLines(java.io.InputStream in, List<String> into) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        synchronized (into) {
          into.add(line);
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
