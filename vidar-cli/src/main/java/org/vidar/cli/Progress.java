package org.vidar.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress bar on stderr for long work, with its rate and the time left: redrawn in place at most
 * five times a second, and only when stderr is a terminal and the run is not {@code --quiet} (a log
 * file or a pipe gets none of it, rather than a line per redraw).
 */
final class Progress implements AutoCloseable {
  /**
   * System property that says whether stderr is a terminal; the {@code ./vidar} launcher sets it
   * ({@code [[ -t 2 ]]}). Java 17 cannot tell by itself: {@link System#console()} needs stdin and
   * stdout to be terminals, so it answers for stdout, not stderr.
   */
  static final String TERMINAL_PROPERTY = "vidar.stderrTerminal";
  private static final long REDRAW_NANOS = 200_000_000L;
  /** Carriage return, then erase to the end of the line: the bar replaces whatever the line held. */
  static final String REWRITE = "\r\033[K";
  private final String label;
  private final String unit;
  private final long total;
  private final PrintStream err;
  private final boolean shown;
  private final LongSupplier clock;
  private final long started;
  private long done;
  private long lastDraw;
  private String note = "";
  private boolean closed;

  /** A bar for {@code total} units ({@code total <= 0}: unknown total, counts only), shown if {@link #shows}. */
  Progress(String label, long total, String unit) {
    this(label, total, unit, System.err, shows(), System::nanoTime);
  }

  /** A bar drawn on {@code err} when {@code shown}, timed by {@code clock} (nanoseconds). */
  Progress(String label, long total, String unit, PrintStream err, boolean shown, LongSupplier clock) {
    this.label = label;
    this.total = total;
    this.unit = unit;
    this.err = err;
    this.shown = shown;
    this.clock = clock;
    this.started = clock.getAsLong();
    this.lastDraw = started - REDRAW_NANOS;
  }

  /** Whether this process shows progress: stderr is a terminal and {@code --quiet} was not given. */
  static boolean shows() {
    return !Verbosity.isQuiet() && stderrIsTerminal();
  }

  /** The launcher's word ({@value #TERMINAL_PROPERTY}), else whether the JVM has a console. */
  static boolean stderrIsTerminal() {
    String said = System.getProperty(TERMINAL_PROPERTY);
    return said != null ? Boolean.parseBoolean(said) : System.console() != null;
  }

  /** Sets the amount done so far. */
  void update(long doneSoFar) {
    done = doneSoFar;
    redraw(false);
  }

  /** Adds {@code n} units. */
  void step(long n) {
    update(done + n);
  }

  /** The units done so far. */
  long done() {
    return done;
  }

  /** Text shown after the rate and ETA (an optimizer's loss, a Spark stage's tasks); empty for none. */
  void note(String text) {
    note = text;
    redraw(false);
  }

  /** Draws the bar now, however recently it was drawn. */
  void draw() {
    redraw(true);
  }

  private void redraw(boolean now) {
    if (!shown || closed) {
      return;
    }
    long t = clock.getAsLong();
    if (now || t - lastDraw >= REDRAW_NANOS) {
      lastDraw = t;
      err.print(REWRITE + line(t));
      err.flush();
    }
  }

  /** The bar's text at time {@code now}. */
  String line(long now) {
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
    sb.append(bytes ? "  " + Sizes.bytes((long) rate) + "/s"
        : String.format(Locale.ROOT, rate >= 10 ? "  %.0f %s/s" : "  %.2f %s/s", rate, unit));
    if (total > 0 && done > 0 && done < total) {
      sb.append("  ETA ").append(duration((total - done) / rate));
    }
    if (!note.isEmpty()) {
      sb.append("  ").append(note);
    }
    return sb.toString();
  }

  /** 42s, 3m05s, 1h02m. */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
  }

  /** Draws the bar a last time and ends its line, which stays. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (shown) {
      err.print(REWRITE + line(clock.getAsLong()) + "\n");
      err.flush();
    }
    closed = true;
  }
}
