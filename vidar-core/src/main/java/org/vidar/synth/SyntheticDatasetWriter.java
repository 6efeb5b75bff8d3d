package org.vidar.synth;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.vidar.data.AtomicOutput;
import org.vidar.data.DataPaths;
import org.vidar.data.ExampleCodec;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.data.Quantization;
import org.vidar.data.SequenceExampleCodec;
import org.vidar.data.TfRecordWriter;
import org.vidar.data.VideoRecord;
import org.vidar.data.Vocabulary;
import org.vidar.eval.PredictionCsvWriter;

/**
 * Writes a synthetic dataset from a {@link LatentVideoModel} in the YouTube-8M formats: sharded,
 * streamed (one video in memory per thread), deterministic for the model's seed whatever the number
 * of threads or shards, since video {@code i} depends only on (seed, i).
 *
 * <p>Frames are quantized to uint8 as YouTube-8M stores them; the video-level features are the mean
 * of the <em>dequantized</em> frames, as in YouTube-8M. Every file is written atomically, so a
 * failed run leaves no partial shard under a final name.
 */
public final class SyntheticDatasetWriter {
  private final LatentVideoModel model;
  private final SynthLayout layout;
  private final FeatureSpec videoSpec;
  private final FeatureSpec frameSpec;
  private final AtomicLong videosWritten = new AtomicLong();
  private final AtomicLong bytesWritten = new AtomicLong();

  public SyntheticDatasetWriter(LatentVideoModel model, SynthLayout layout) {
    this.model = model;
    this.layout = layout;
    SynthConfig c = model.config();
    int classes = model.numClasses();
    this.videoSpec = new FeatureSpec(FeatureSpec.Level.VIDEO, List.of("id", "video_id"), "labels",
        List.of(new FeatureField("mean_rgb", c.rgbDim()), new FeatureField("mean_audio", c.audioDim())),
        classes, FeatureSpec.YT8M_MAX_FRAMES);
    this.frameSpec = new FeatureSpec(FeatureSpec.Level.FRAME, List.of("id", "video_id"), "labels",
        List.of(new FeatureField("rgb", c.rgbDim()), new FeatureField("audio", c.audioDim())),
        classes, Math.max(FeatureSpec.YT8M_MAX_FRAMES, c.maxFrames()));
  }

  /** The spec of the video-level files written. */
  public FeatureSpec videoSpec() {
    return videoSpec;
  }

  /** The spec of the frame-level files written. */
  public FeatureSpec frameSpec() {
    return frameSpec;
  }

  /** Videos written so far, for progress reports; safe to read from another thread. */
  public long videosWritten() {
    return videosWritten.get();
  }

  /** Bytes of TFRecord written so far. */
  public long bytesWritten() {
    return bytesWritten.get();
  }

  /** Writes every shard, then the vocabulary (with train counts) and the model description. */
  public void write() throws IOException {
    List<long[]> trainCounts = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(layout.threads(), r -> {
      Thread t = new Thread(r, "synth-writer");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<long[]>> train = submitSplit(pool, "train", 0, layout.trainVideos());
      List<Future<long[]>> validate = submitSplit(pool, "validate", layout.trainVideos(), layout.validateVideos());
      for (Future<long[]> f : train) {
        trainCounts.add(await(f, pool));
      }
      for (Future<long[]> f : validate) {
        await(f, pool);
      }
    } finally {
      pool.shutdownNow();
    }
    long[] counts = new long[model.numClasses()];
    for (long[] c : trainCounts) {
      for (int k = 0; k < counts.length; k++) {
        counts[k] += c[k];
      }
    }
    List<String> names = new ArrayList<>(counts.length);
    for (int k = 0; k < counts.length; k++) {
      names.add(String.format("topic%03d/class%05d", model.topicOf(k), k));
    }
    try (AtomicOutput out = DataPaths.createAtomic(DataPaths.join(layout.outDir(), "vocabulary.csv"))) {
      new Vocabulary(names, counts).write(out.stream());
      out.commit();
    }
    try (AtomicOutput out = DataPaths.createAtomic(DataPaths.join(layout.outDir(), "synth.txt"))) {
      String text = "Synthetic YouTube-8M-like dataset written by vidar synth\n"
          + "train videos: " + layout.trainVideos() + ", validate videos: " + layout.validateVideos()
          + " (validate video i has index trainVideos + i)\n\n" + model.describe() + "\n";
      out.stream().write(text.getBytes(StandardCharsets.UTF_8));
      out.commit();
    }
  }

  private static long[] await(Future<long[]> f, ExecutorService pool) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing the synthetic dataset", e);
    } catch (ExecutionException e) {
      pool.shutdownNow();
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      throw new IOException("writing the synthetic dataset failed: " + cause, cause);
    }
  }

  private List<Future<long[]>> submitSplit(ExecutorService pool, String split, long first, long videos) {
    List<Future<long[]>> out = new ArrayList<>();
    if (videos == 0) {
      return out;
    }
    int shards = layout.shards(videos);
    for (int s = 0; s < shards; s++) {
      long from = first + videos * s / shards;
      long to = first + videos * (s + 1) / shards;
      int shard = s;
      out.add(pool.submit(() -> writeShard(split, shard, shards, from, to)));
    }
    return out;
  }

  /** Writes videos [from, to) into one shard of each level and its oracle file; returns label counts. */
  private long[] writeShard(String split, int shard, int shards, long from, long to) throws IOException {
    long[] counts = new long[model.numClasses()];
    ExampleCodec videoCodec = new ExampleCodec(videoSpec);
    SequenceExampleCodec frameCodec = new SequenceExampleCodec(frameSpec);
    String dir = layout.outDir();
    List<AtomicOutput> outputs = new ArrayList<>();
    try {
      TfRecordWriter videoOut = null;
      TfRecordWriter frameOut = null;
      if (layout.videoLevel()) {
        AtomicOutput o = DataPaths.createAtomic(DataPaths.join(DataPaths.join(dir, "video"),
            SynthLayout.shardName(split, shard, shards, "tfrecord")));
        outputs.add(o);
        videoOut = new TfRecordWriter(o.stream());
      }
      if (layout.frameLevel()) {
        AtomicOutput o = DataPaths.createAtomic(DataPaths.join(DataPaths.join(dir, "frame"),
            SynthLayout.shardName(split, shard, shards, "tfrecord")));
        outputs.add(o);
        frameOut = new TfRecordWriter(o.stream());
      }
      AtomicOutput oracleFile = DataPaths.createAtomic(DataPaths.join(DataPaths.join(dir, "oracle"),
          SynthLayout.shardName(split, shard, shards, "csv")));
      outputs.add(oracleFile);
      PredictionCsvWriter oracle = new PredictionCsvWriter(
          new OutputStreamWriter(oracleFile.stream(), StandardCharsets.UTF_8));
      int dim = model.featureDim();
      for (long i = from; i < to; i++) {
        SyntheticVideo v = model.video(i);
        byte[] quantized = new byte[v.numFrames() * dim];
        Quantization.quantize(v.frames(), 0, quantized, 0, quantized.length);
        long before = (videoOut == null ? 0 : videoOut.bytes()) + (frameOut == null ? 0 : frameOut.bytes());
        if (videoOut != null) {
          videoOut.write(videoCodec.encode(new VideoRecord(v.id(), v.labels(), 1,
              meanOfDequantized(quantized, v.numFrames(), dim))));
        }
        if (frameOut != null) {
          frameOut.write(frameCodec.encodeQuantized(v.id(), v.labels(), v.numFrames(), quantized));
        }
        oracle.write(v.id(), v.probClasses(), v.probValues(), v.probClasses().length);
        for (int label : v.labels()) {
          counts[label]++;
        }
        long after = (videoOut == null ? 0 : videoOut.bytes()) + (frameOut == null ? 0 : frameOut.bytes());
        bytesWritten.addAndGet(after - before);
        videosWritten.incrementAndGet();
        if (Thread.currentThread().isInterrupted()) {
          throw new IOException("interrupted");
        }
      }
      oracle.flush();
      for (AtomicOutput o : outputs) {
        o.commit();
      }
      return counts;
    } finally {
      for (AtomicOutput o : outputs) {
        o.close();
      }
    }
  }

  /** The per-feature mean over frames of the dequantized bytes (YouTube-8M's video-level features). */
  static float[] meanOfDequantized(byte[] quantized, int frames, int dim) {
    double[] sum = new double[dim];
    for (int t = 0; t < frames; t++) {
      int off = t * dim;
      for (int j = 0; j < dim; j++) {
        sum[j] += Quantization.dequantize(quantized[off + j]);
      }
    }
    float[] mean = new float[dim];
    for (int j = 0; j < dim; j++) {
      mean[j] = (float) (sum[j] / frames);
    }
    return mean;
  }
}
