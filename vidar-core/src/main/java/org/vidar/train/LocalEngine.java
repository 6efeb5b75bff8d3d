package org.vidar.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.vidar.data.Excerpt;
import org.vidar.data.ProgressSink;
import org.vidar.data.batch.DataShard;
import org.vidar.data.batch.FrameSampling;
import org.vidar.data.batch.VideoBatch;
import org.vidar.data.batch.VideoDataset;
import org.vidar.math.SpareThreads;
import org.vidar.model.VideoModel;
import org.vidar.train.embedding.EmbeddingPrecision;
import org.vidar.train.embedding.EmbeddingTable;

/**
 * The engine of one machine: a fixed pool of threads over an in-memory {@link VideoDataset} cut
 * into contiguous shards. Shard results are combined in shard order, so the result does not depend
 * on which thread finished first.
 */
public final class LocalEngine implements Engine {
  private final VideoDataset data;
  private final int threads;
  private final int shards;
  private final ExecutorService pool;
  /** Told of the videos each embedding pass has done; the caller begins and ends the step. */
  private final ProgressSink progress;
  /** Threads of the pool not running a task nor lent to one: see {@link #spareThreads}. */
  private final java.util.concurrent.atomic.AtomicInteger idle;

  /** An engine with {@code threads} workers and as many shards as threads. */
  public LocalEngine(VideoDataset data, int threads) {
    this(data, threads, threads);
  }

  public LocalEngine(VideoDataset data, int threads, int shards) {
    this(data, threads, shards, ProgressSink.NONE);
  }

  /**
   * An engine with {@code threads} workers and {@code shards} shards that tells {@code progress} the
   * videos of every embedding pass as its chunks are done (from the workers' threads).
   */
  public LocalEngine(VideoDataset data, int threads, int shards, ProgressSink progress) {
    if (threads <= 0 || shards <= 0) {
      throw new IllegalArgumentException("threads and shards must be positive, got " + threads + ", " + shards);
    }
    this.data = data;
    this.progress = progress;
    this.threads = threads;
    this.shards = Math.max(1, Math.min(shards, Math.max(1, data.size())));
    this.idle = new java.util.concurrent.atomic.AtomicInteger(threads);
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "vidar-local");
      t.setDaemon(true);
      return t;
    });
  }

  /** The data the shards are cut from. */
  public VideoDataset data() {
    return data;
  }

  @Override
  public int parallelism() {
    return threads;
  }

  /**
   * The pool's threads that no task is running: a task still running when others have ended (a
   * class group that trains longer than the rest) borrows them for its GEMMs. A thread that picks
   * up a queued task while lent out runs beside the borrower until that operation ends.
   */
  @Override
  public SpareThreads spareThreads() {
    return new SpareThreads() {
      @Override
      public int poolSize() {
        return threads;
      }

      @Override
      public int take(int most) {
        while (true) {
          int now = idle.get();
          int granted = Math.min(most, now);
          if (granted <= 0) {
            return 0;
          }
          if (idle.compareAndSet(now, now - granted)) {
            return granted;
          }
        }
      }

      @Override
      public void giveBack(int count) {
        idle.addAndGet(count);
      }
    };
  }

  @Override
  public <R> R aggregateShards(ShardTask<R> task, Combine<R> combine) {
    return aggregateShards(data, task, combine);
  }

  /** {@link #aggregateShards(ShardTask, Combine)} over the shards of {@code data} (a view of this engine's). */
  private <R> R aggregateShards(VideoDataset data, ShardTask<R> task, Combine<R> combine) {
    List<Integer> indices = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      indices.add(s);
    }
    List<R> results = mapItems(indices, s -> task.apply(data.range(s,
        (int) ((long) data.size() * s / shards), (int) ((long) data.size() * (s + 1) / shards))));
    R total = results.get(0);
    for (int i = 1; i < results.size(); i++) {
      total = combine.apply(total, results.get(i));
    }
    return total;
  }

  @Override
  public <T, R> List<R> mapItems(List<T> items, ItemTask<T, R> task) {
    List<Future<R>> futures = new ArrayList<>(items.size());
    for (T item : items) {
      futures.add(pool.submit(() -> {
        idle.decrementAndGet();
        try {
          return task.apply(item);
        } finally {
          idle.incrementAndGet();
        }
      }));
    }
    List<R> out = new ArrayList<>(items.size());
    try {
      for (Future<R> f : futures) {
        out.add(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      futures.forEach(f -> f.cancel(true));
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      throw failure(e);
    }
    return out;
  }

  /** The failure of a task run on a pool, as the task threw it (an unchecked exception or error). */
  static RuntimeException failure(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException re) {
      return re;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return new IllegalStateException(cause);
  }

  /**
   * The embeddings of every video of the data, computed by a map over the shards, each writing its
   * own rows; with several draws, draw after draw (rows {@code d·videos + v}).
   */
  @Override
  public EmbeddingTable embed(VideoModel model, int chunkRows, EmbeddingPrecision precision, int draws) {
    int dim = model.trunk().outputDim();
    int n = data.size();
    FrameSampling sampling = data.sampling();
    int copies = Engine.embeddingDraws(data.level(), sampling, draws);
    boolean exact = precision == EmbeddingPrecision.FLOAT32;
    long cells = Math.multiplyExact(Math.multiplyExact((long) n, copies), (long) dim);
    if (cells > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("Stage 1's embeddings of " + n + " videos, " + copies + " draws of " + dim
          + " values each, do not fit one array: use fewer --head-draws or the Spark engine");
    }
    float[] values = exact ? new float[(int) cells] : null;
    short[] packed = exact ? null : new short[(int) cells];
    for (int d = 0; d < copies; d++) {
      VideoDataset view = d == 0 ? data : data.sampled(sampling.forDraw(d));
      int first = d * n; // this draw's first row
      aggregateShards(view, shard -> {
        VideoModel.Scorer scorer = model.newScorer();
        VideoBatch batch = new VideoBatch(view.level(), view.dimension());
        float[] out = new float[0];
        long rows = 0;
        while (shard.next(batch, chunkRows)) {
          if (out.length < batch.rows * dim) {
            out = new float[batch.rows * dim];
          }
          scorer.embed(batch, out);
          progress.advance(batch.rows);
          for (int i = 0; i < batch.rows; i++) {
            int to = (first + batch.sourceIndex[i]) * dim;
            if (exact) {
              System.arraycopy(out, i * dim, values, to, dim);
            } else {
              String where = "video " + Excerpt.of(view.id(batch.sourceIndex[i])); // once a video, not a value
              for (int j = 0; j < dim; j++) {
                packed[to + j] = precision.checkedBits(out[i * dim + j], where);
              }
            }
          }
          rows += batch.rows;
        }
        return rows;
      }, Long::sum);
    }
    int[] labelOffsets = data.labelOffsets();
    int[] labels = data.labels();
    long[] keys = new long[n * copies];
    for (int v = 0; v < n; v++) {
      keys[v] = data.key(v);
    }
    int[] offsets = labelOffsets;
    int[] allLabels = labels;
    if (copies > 1) {
      // draw d repeats the videos' keys and labels, its label offsets shifted by d times all labels
      offsets = new int[n * copies + 1];
      allLabels = new int[labelOffsets[n] * copies];
      for (int d = 0; d < copies; d++) {
        System.arraycopy(keys, 0, keys, d * n, n);
        for (int v = 0; v < n; v++) {
          offsets[d * n + v + 1] = d * labelOffsets[n] + labelOffsets[v + 1];
        }
        System.arraycopy(labels, 0, allLabels, d * labelOffsets[n], labelOffsets[n]);
      }
    }
    return exact ? new EmbeddingTable(n * copies, dim, values, offsets, allLabels, keys)
        : new EmbeddingTable(n * copies, dim, packed, precision, offsets, allLabels, keys);
  }

  /** One draw. */
  @Override
  public EmbeddingTable embed(VideoModel model, int chunkRows, EmbeddingPrecision precision) {
    return embed(model, chunkRows, precision, 1);
  }

  /** {@link #embed(VideoModel, int, EmbeddingPrecision)} in float32. */
  @Override
  public EmbeddingTable embed(VideoModel model, int chunkRows) {
    return embed(model, chunkRows, EmbeddingPrecision.FLOAT32);
  }

  @Override
  public Shared<VideoModel> shareModel(VideoModel model) {
    return new Reference<>(model);
  }

  @Override
  public Shared<float[]> shareArray(float[] values) {
    return new Reference<>(values);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  /** Tasks of this engine run in this JVM: sharing is passing the reference (never serialized). */
  private static final class Reference<T> implements Shared<T> {
    private static final long serialVersionUID = 1L;
    private final transient T value;

    Reference(T value) {
      this.value = value;
    }

    @Override
    public T get() {
      return value;
    }

    @Override
    public void close() {}
  }
}
