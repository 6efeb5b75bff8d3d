package org.vidar.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr for long work: redrawn in place at most five times a second when stderr
 * is a terminal, and a plain line every ten percent otherwise (logs stay readable).
 */
final class Progress implements AutoCloseable {
  private static final long REDRAW_NANOS = 200_000_000L;
  private final String label;
  private final String unit;
  private final long total;
  private final PrintStream err;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private long done;
  private long lastDraw;
  private int lastDecile = -1;
  private boolean closed;

  /** A bar for {@code total} units ({@code total <= 0}: unknown total, counts only). */
  Progress(String label, long total, String unit) {
    this.label = label;
    this.total = total;
    this.unit = unit;
    this.err = System.err;
    this.terminal = System.console() != null;
  }

  /** Sets the amount done so far. */
  void update(long doneSoFar) {
    done = doneSoFar;
    if (Verbosity.isQuiet()) {
      return;
    }
    long now = System.nanoTime();
    if (terminal) {
      if (now - lastDraw >= REDRAW_NANOS) {
        lastDraw = now;
        err.print("\r" + line(now));
        err.flush();
      }
    } else if (total > 0) {
      int decile = (int) Math.min(10, done * 10 / total);
      if (decile > lastDecile) {
        lastDecile = decile;
        err.println(line(now));
      }
    }
  }

  /** Adds {@code n} units. */
  void step(long n) {
    update(done + n);
  }

  private String line(long now) {
    double seconds = Math.max(1e-9, (now - started) / 1e9);
    double rate = done / seconds;
    StringBuilder sb = new StringBuilder(label).append(' ');
    boolean bytes = unit.equals("bytes");
    if (total > 0) {
      double f = Math.min(1.0, (double) done / total);
      int width = 24;
      int filled = (int) Math.round(f * width);
      sb.append(String.format(Locale.ROOT, "%3.0f%% [", 100 * f)).append("#".repeat(filled))
          .append(" ".repeat(width - filled)).append("] ")
          .append(bytes ? Sizes.bytes(done) + " / " + Sizes.bytes(total) : done + "/" + total + " " + unit);
    } else {
      sb.append(bytes ? Sizes.bytes(done) : done + " " + unit);
    }
    sb.append(bytes ? "  " + Sizes.bytes((long) rate) + "/s" : String.format(Locale.ROOT, "  %.0f/s", rate));
    if (total > 0 && done > 0 && done < total) {
      sb.append(String.format(Locale.ROOT, "  ETA %.0fs", (total - done) / rate));
    }
    return sb.toString();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (terminal && !Verbosity.isQuiet()) {
      err.print("\r" + line(System.nanoTime()) + "\n");
      err.flush();
    }
  }
}
