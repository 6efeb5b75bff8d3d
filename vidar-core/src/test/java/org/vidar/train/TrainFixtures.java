package org.vidar.train;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.vidar.data.ExampleCodec;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.data.TfRecordWriter;
import org.vidar.data.VideoRecord;
import org.vidar.data.batch.VideoDataset;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.moe.HeadConfig;
import org.vidar.optim.AdamConfig;
import org.vidar.optim.IRpropConfig;
import org.vidar.optim.LbfgsConfig;

/** Tiny separable datasets and configurations shared by the stage tests. */
public final class TrainFixtures {
  private TrainFixtures() {}

  public static FeatureSpec spec(FeatureSpec.Level level, int dim, int classes) {
    return new FeatureSpec(level, List.of("id"), "labels", List.of(new FeatureField("rgb", dim)), classes, 300);
  }

  /**
   * Video-level: features uniform in [-1, 1]; class k is present iff feature k > threshold, so each
   * class is linearly separable (classes beyond dim use feature k mod dim with a higher threshold).
   */
  public static VideoDataset separableVideos(int n, int dim, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] f = new float[n * dim];
    String[] ids = new String[n];
    int[][] labels = new int[n][];
    for (int v = 0; v < n; v++) {
      ids[v] = "v" + v;
      for (int j = 0; j < dim; j++) {
        f[v * dim + j] = (float) r.nextDouble(-1, 1);
      }
      labels[v] = labelsOf(f, v * dim, dim, classes);
    }
    return VideoDataset.of(FeatureSpec.Level.VIDEO, dim, ids, labels, f, null);
  }

  public static int[] labelsOf(float[] f, int off, int dim, int classes) {
    List<Integer> l = new ArrayList<>();
    for (int k = 0; k < classes; k++) {
      double threshold = k < dim ? 0.0 : 0.5;
      if (f[off + k % dim] > threshold) {
        l.add(k);
      }
    }
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Frame level: 1..4 frames per video; the class is decided by the sign of the frames' mean feature k. */
  public static VideoDataset separableFrames(int n, int dim, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] fo = new int[n + 1];
    for (int v = 0; v < n; v++) {
      fo[v + 1] = fo[v] + 1 + r.nextInt(4);
    }
    float[] f = new float[fo[n] * dim];
    String[] ids = new String[n];
    int[][] labels = new int[n][];
    for (int v = 0; v < n; v++) {
      ids[v] = "v" + v;
      float[] mean = new float[dim];
      for (int j = 0; j < dim; j++) {
        mean[j] = (float) r.nextDouble(-1, 1);
      }
      for (int t = fo[v]; t < fo[v + 1]; t++) {
        for (int j = 0; j < dim; j++) {
          f[t * dim + j] = mean[j] + (float) r.nextDouble(-0.1, 0.1);
        }
      }
      labels[v] = labelsOf(mean, 0, dim, classes);
    }
    return VideoDataset.of(FeatureSpec.Level.FRAME, dim, ids, labels, f, fo);
  }

  public static ModelConfig videoModel(int dim, int classes, List<Integer> hidden, boolean gating) {
    return new ModelConfig(spec(FeatureSpec.Level.VIDEO, dim, classes), new TrunkConfig.VideoMlp(hidden, gating));
  }

  /** A frame-level model: a Deep Bag of Frames with SWAP pooling over {@code dim}-value frames. */
  public static ModelConfig dbofModel(int dim, int classes, int frameHidden, boolean frameGating, int videoHidden,
      boolean batchNorm) {
    return new ModelConfig(spec(FeatureSpec.Level.FRAME, dim, classes),
        new TrunkConfig.Dbof(frameHidden, frameGating, TrunkConfig.Pooling.SWAP, videoHidden, batchNorm));
  }

  /**
   * Writes {@code files} TFRecord files of {@code perFile} video-level examples each into
   * {@code dir} ({@code part0.tfrecord}, …); video {@code i} (numbered across the files) is
   * {@code video(i, random)}, all drawing on one random stream of seed 3. Returns the paths.
   */
  public static List<String> writeVideoFiles(Path dir, FeatureSpec spec, int files, int perFile,
      BiFunction<Integer, SplittableRandom, VideoRecord> video) throws IOException {
    ExampleCodec codec = new ExampleCodec(spec);
    SplittableRandom r = new SplittableRandom(3);
    List<String> out = new ArrayList<>();
    int id = 0;
    for (int f = 0; f < files; f++) {
      Path p = dir.resolve("part" + f + ".tfrecord");
      try (OutputStream os = Files.newOutputStream(p); TfRecordWriter w = new TfRecordWriter(os)) {
        for (int v = 0; v < perFile; v++) {
          w.write(codec.encode(video.apply(id, r)));
          id++;
        }
      }
      out.add(p.toString());
    }
    return out;
  }

  public static TrainConfig config(long seed, int pretrainEpochs, int rounds, HeadConfig heads, int headGroups,
      int lbfgsIterations, int trunkSteps, int chunkRows) {
    return new TrainConfig(seed, pretrainEpochs, 8, AdamConfig.of(0.01), HeadConfig.fixed(1, 1e-4f), rounds, heads,
        headGroups, LbfgsConfig.of(lbfgsIterations, 1e-7, 1e-10), trunkSteps, IRpropConfig.defaults(), 0f,
        chunkRows);
  }
}
