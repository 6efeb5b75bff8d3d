package org.vidar.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the records a reader skipped, by reason, and keeps the first few full messages (file,
 * record, offset, detail) so a user can find them. Thread-safe; reports from parallel readers merge,
 * and a report travels (serialized) from a Spark executor to the driver.
 */
public final class SkipReport implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private static final int KEPT_EXAMPLES = 10;
  private final EnumMap<RecordProblem, Long> counts = new EnumMap<>(RecordProblem.class);
  private final List<String> examples = new ArrayList<>();

  /** Counts one skipped record. */
  public synchronized void add(BadRecordException e) {
    counts.merge(e.problem(), 1L, Long::sum);
    if (examples.size() < KEPT_EXAMPLES) {
      examples.add(e.getMessage());
    }
  }

  /** Adds another report's counts into this one. */
  public synchronized void merge(SkipReport other) {
    Map<RecordProblem, Long> theirs;
    List<String> theirExamples;
    synchronized (other) {
      theirs = new EnumMap<>(other.counts);
      theirExamples = new ArrayList<>(other.examples);
    }
    theirs.forEach((k, v) -> counts.merge(k, v, Long::sum));
    for (String s : theirExamples) {
      if (examples.size() < KEPT_EXAMPLES) {
        examples.add(s);
      }
    }
  }

  /** Records skipped in all. */
  public synchronized long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Records skipped per reason. */
  public synchronized Map<RecordProblem, Long> counts() {
    return Collections.unmodifiableMap(new EnumMap<>(counts));
  }

  /** The first few skipped records' messages. */
  public synchronized List<String> examples() {
    return List.copyOf(examples);
  }

  /** A multi-line summary, empty when nothing was skipped. */
  public synchronized String summary() {
    if (counts.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    sb.append("skipped ").append(total()).append(" bad record(s):\n");
    counts.forEach((k, v) -> sb.append("  ").append(v).append(" x ").append(k.description())
        .append(k.losesRestOfFile() ? " (rest of that file unreadable)" : "").append('\n'));
    sb.append("  first ones:\n");
    for (String e : examples) {
      sb.append("    ").append(e).append('\n');
    }
    return sb.toString();
  }
}
