package org.vidar.spark;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.util.AccumulatorV2;
import org.vidar.data.SkipReport;

/**
 * The skip reports of a pass's shards, by shard index, merged on the driver in shard order, so the
 * report reads as the local engine's for the same files (which reads them in that order): the same
 * counts by reason and the same first records. Keyed by shard, a task run twice (a retry, a
 * recomputed partition) counts once; a failed attempt's report is never merged (Spark drops the
 * updates of failed tasks).
 */
final class SkipAccumulator extends AccumulatorV2<SkipAccumulator.ShardSkips, SkipReport> {
  private static final long serialVersionUID = 1L;

  /** The records shard {@code shard} skipped. */
  record ShardSkips(int shard, SkipReport report) implements Serializable {}

  private final TreeMap<Integer, SkipReport> byShard = new TreeMap<>();

  @Override
  public synchronized boolean isZero() {
    return byShard.isEmpty();
  }

  @Override
  public synchronized SkipAccumulator copy() {
    SkipAccumulator c = new SkipAccumulator();
    c.byShard.putAll(byShard);
    return c;
  }

  @Override
  public synchronized void reset() {
    byShard.clear();
  }

  @Override
  public synchronized void add(ShardSkips v) {
    byShard.put(v.shard(), v.report());
  }

  @Override
  public void merge(AccumulatorV2<ShardSkips, SkipReport> other) {
    Map<Integer, SkipReport> theirs;
    synchronized (other) {
      theirs = new TreeMap<>(((SkipAccumulator) other).byShard);
    }
    synchronized (this) {
      byShard.putAll(theirs);
    }
  }

  /** The shards' reports merged in shard order. */
  @Override
  public synchronized SkipReport value() {
    SkipReport all = new SkipReport();
    byShard.values().forEach(all::merge);
    return all;
  }
}
