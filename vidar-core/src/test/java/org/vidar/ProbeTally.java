package org.vidar;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One row of the probe table of issue 12: how the seeded cases of one category of hostile input
 * ended. A probe runs each case through {@link #run}, which returns the probe's own classification
 * (accepted and correct by the probe's oracle, a named error, a silent wrong result, data lost), or
 * counts a crash (anything the case lets escape: an unexpected exception, an error such as
 * OutOfMemoryError) or a hang (over the time limit of one case). {@link #assertClean} prints the
 * row and fails when a crash, hang, silent wrong result or loss of data was seen, quoting the
 * first ones.
 *
 * <p>{@code -Dvidar.probe.scale=N} runs N times each probe's default number of cases, {@code
 * -Dvidar.probe.seed=S} other ones.
 */
public final class ProbeTally {
  /** How one case ended. */
  public enum Outcome {
    /** The input was accepted, and the result is the one the probe's oracle gives. */
    ACCEPTED,
    /** A Vidar error (its exception type or exit code) whose bounded message names the file and what is wrong. */
    NAMED_ERROR,
    /** Anything else: an unexpected exception or error, or a message that names nothing or has no bound. */
    CRASH,
    /** Over the time limit of one case. */
    HANG,
    /** Accepted (or refused at another place) otherwise than the oracle says. */
    SILENT_WRONG,
    /** A file that existed before the case was changed or removed. */
    DATA_LOST
  }

  /** A case's classification, with what the probe saw when it is not a good one. */
  public record Verdict(Outcome outcome, String detail) {
    public static Verdict accepted() {
      return new Verdict(Outcome.ACCEPTED, null);
    }

    public static Verdict wrong(String detail) {
      return new Verdict(Outcome.SILENT_WRONG, detail);
    }

    public static Verdict lost(String detail) {
      return new Verdict(Outcome.DATA_LOST, detail);
    }

    public static Verdict crash(String detail) {
      return new Verdict(Outcome.CRASH, detail);
    }
  }

  /** Longer error messages are unbounded (a 200 MB id was once echoed whole). */
  public static final int MAX_MESSAGE_CHARS = 2_000;
  /** The first cases of each bad outcome kept for the failure message. */
  private static final int EXAMPLES = Integer.getInteger("vidar.probe.examples", 8);

  /** The seed of every probe, unless {@code -Dvidar.probe.seed} gives another. */
  public static final long SEED = Long.getLong("vidar.probe.seed", 0x1275_0bedL);
  private static final int SCALE = Integer.getInteger("vidar.probe.scale", 1);

  private final String category;
  private final Duration limit;
  private final Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
  private final List<String> examples = new ArrayList<>();
  private final long start = System.nanoTime();
  private final long seed;
  private ExecutorService worker = newWorker();
  private long slowestNanos;

  /** A tally for {@code category} (the row's name), each case limited to {@code perCase}. */
  public ProbeTally(String category, Duration perCase) {
    this(category, perCase, SEED);
  }

  /** As above, for a probe seeded otherwise than by {@code -Dvidar.probe.seed} (the row says {@code seed}). */
  public ProbeTally(String category, Duration perCase, long seed) {
    this.category = category;
    this.limit = perCase;
    this.seed = seed;
    for (Outcome o : Outcome.values()) {
      counts.put(o, 0);
    }
  }

  /** The number of cases a probe runs: its default times {@code -Dvidar.probe.scale}. */
  public static int cases(int defaultCases) {
    return Math.multiplyExact(defaultCases, SCALE);
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "probe-case");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Runs one case on a worker thread and counts its outcome: the verdict it returns, CRASH for
   * anything it throws, HANG when it takes longer than the limit (it is then abandoned).
   */
  public Outcome run(String description, Callable<Verdict> c) {
    long t0 = System.nanoTime();
    Future<Verdict> f = worker.submit(c);
    Verdict v;
    try {
      v = f.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      worker.shutdownNow();
      worker = newWorker();
      v = new Verdict(Outcome.HANG, "over " + limit.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      StackTraceElement[] at = cause.getStackTrace();
      v = Verdict.crash(cause + (at.length > 0 ? " at " + at[0] : ""));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    count(description, v, System.nanoTime() - t0);
    return v.outcome();
  }

  /** Counts a case a probe ran and timed itself (it then judges hangs itself too). */
  public void count(String description, Verdict v, long nanos) {
    slowestNanos = Math.max(slowestNanos, nanos);
    counts.merge(v.outcome(), 1, Integer::sum);
    if (v.outcome() != Outcome.ACCEPTED && v.outcome() != Outcome.NAMED_ERROR && examples.size() < EXAMPLES) {
      examples.add(v.outcome() + ": " + description + ": " + cut(v.detail(), 600));
    }
  }

  /**
   * NAMED_ERROR when {@code e}'s message holds each of {@code names} (the file, the record or field)
   * and at most {@link #MAX_MESSAGE_CHARS} characters; CRASH otherwise.
   */
  public static Verdict named(Throwable e, String... names) {
    String m = e.getMessage();
    if (m == null) {
      return Verdict.crash(e.getClass().getName() + " with no message");
    }
    if (m.length() > MAX_MESSAGE_CHARS) {
      return Verdict.crash("a message of " + m.length() + " characters: " + cut(m, 300));
    }
    for (String n : names) {
      if (!m.contains(n)) {
        return Verdict.crash("the message does not name " + cut(n, 200) + ": " + m);
      }
    }
    return new Verdict(Outcome.NAMED_ERROR, null);
  }

  /** Bytes the calling thread has allocated so far (HotSpot's per-thread counter), for allocation bounds. */
  public static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }

  /** Cases that ended with {@code o}. */
  public int count(Outcome o) {
    return counts.get(o);
  }

  /** Every case counted. */
  public int cases() {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** The table row: category, cases, named errors, crashes, hangs, silent wrong results, data lost. */
  public String row() {
    return String.format(Locale.ROOT, "| %-34s | %6d | %6d | %d | %d | %d | %d |  accepted and correct %d, slowest "
        + "case %.1f ms, all in %.1f s, seed %d", category, cases(), count(Outcome.NAMED_ERROR), count(Outcome.CRASH),
        count(Outcome.HANG), count(Outcome.SILENT_WRONG), count(Outcome.DATA_LOST), count(Outcome.ACCEPTED),
        slowestNanos / 1e6, (System.nanoTime() - start) / 1e9, seed);
  }

  /**
   * Prints the row ({@code probe table: | category | cases | named errors | crashes | hangs | silent
   * wrong | data lost |}) and fails if any case crashed, hung, gave a silent wrong result or lost
   * data; the first of them are in the message.
   */
  public void assertClean() {
    worker.shutdownNow();
    System.out.println("probe table: " + row());
    int bad = count(Outcome.CRASH) + count(Outcome.HANG) + count(Outcome.SILENT_WRONG) + count(Outcome.DATA_LOST);
    assertTrue(bad == 0, category + ": " + bad + " bad cases, the first:\n  " + String.join("\n  ", examples));
  }

  private static String cut(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max) + "… (" + s.length() + " chars)";
  }
}
