package org.vidar.data.batch;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The heap a load may still take: the JVM's maximum heap less what is in use. The local engine
 * asks before it holds a dataset in memory, and again before each larger array while loading, so
 * data that do not fit end in a message naming the bytes and how to set the heap, not in an
 * {@code OutOfMemoryError}. Tests give a small maximum instead of allocating gigabytes.
 *
 * @param maxBytes the most the heap can hold ({@link Runtime#maxMemory})
 * @param usedBytes the heap in use now
 */
public record MemoryBudget(long maxBytes, LongSupplier usedBytes) {
  /** This JVM's heap. */
  public static MemoryBudget ofRuntime() {
    Runtime rt = Runtime.getRuntime();
    return new MemoryBudget(rt.maxMemory(), () -> rt.totalMemory() - rt.freeMemory());
  }

  /** A budget that never refuses (for callers that size their data themselves). */
  public static final MemoryBudget UNLIMITED = new MemoryBudget(Long.MAX_VALUE, () -> 0L);

  /** Bytes the heap can still give. */
  public long headroom() {
    return Math.max(0, maxBytes - usedBytes.getAsLong());
  }

  /**
   * Refuses when {@code needed} bytes more do not fit the heap; the message begins with
   * {@code what} and says how to give the JVM more heap.
   *
   * @throws InsufficientMemoryException naming the bytes needed, the heap and how to set it
   */
  public void require(long needed, String what) {
    long used = usedBytes.getAsLong();
    long headroom = Math.max(0, maxBytes - used);
    if (needed > headroom) {
      long suggested = (used + needed + (1L << 30) - 1) / (1L << 30) + 1;
      throw new InsufficientMemoryException(String.format(Locale.ROOT,
          "%s; the heap has %s left of its %s maximum. Give the JVM more heap (at least -Xmx%dg: "
          + "VIDAR_JAVA_OPTS=-Xmx%dg ./vidar train ..., or java -Xmx%dg ...), keep fewer frames a video "
          + "(--sample-frames N), or train on Spark (--engine spark), which streams the files",
          what, bytes(headroom), bytes(maxBytes), suggested, suggested, suggested));
    }
  }

  static String bytes(long n) {
    if (n >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GiB", n / (double) (1L << 30));
    }
    return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
  }

  /** The data do not fit the heap; the message says how much they need and how to give it. */
  public static final class InsufficientMemoryException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InsufficientMemoryException(String message) {
      super(message);
    }
  }
}
