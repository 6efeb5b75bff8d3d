package org.vidar.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;

/**
 * The paper's whole pipeline on an engine: pre-training, then {@code rounds} of Stage 1 (fresh
 * heads, model-parallel) and Stage 2 (trunk, data-parallel). A listener sees the model after every
 * stage, for evaluation and checkpoints.
 */
public final class Trainer {
  /** Called after each stage with the stage's name ("pretrain", "round 1 heads", ...). */
  @FunctionalInterface
  public interface Listener {
    void stageDone(String stage, VideoModel model, double trainLoss, double seconds);
  }

  private final TrainConfig config;

  public Trainer(TrainConfig config) {
    this.config = config;
  }

  /** Trains a model of {@code modelConfig} on the local engine's data. */
  public VideoModel train(LocalEngine engine, ModelConfig modelConfig, Listener listener) {
    try {
      return train(engine, new InMemoryPretrainData(engine.data()), modelConfig, listener);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Trains a model of {@code modelConfig}: pre-training where this process reads {@code pretrainData},
   * the alternating stages on {@code engine}'s shards.
   */
  public VideoModel train(Engine engine, PretrainData pretrainData, ModelConfig modelConfig, Listener listener)
      throws IOException {
    return train(engine, pretrainData, modelConfig, listener, null, -1);
  }

  /**
   * As above, but continuing after stage {@code doneStage} (see {@link Checkpoints#stageIndex}) from
   * {@code resumeFrom}, the model that stage ended with; {@code resumeFrom == null} starts afresh.
   * Every stage draws its randomness from the seed and its own index, so a resumed run ends with the
   * model an uninterrupted run would have.
   */
  public VideoModel train(Engine engine, PretrainData pretrainData, ModelConfig modelConfig, Listener listener,
      VideoModel resumeFrom, int doneStage) throws IOException {
    long t0 = System.nanoTime();
    VideoModel model = resumeFrom;
    if (model == null) {
      Pretrain pretrain = new Pretrain(config);
      model = pretrain.run(pretrainData, modelConfig);
      listener.stageDone("pretrain", model, pretrain.lastEpochLoss(), seconds(t0));
      doneStage = 0;
    }
    long[] positives = positives(engine, modelConfig.numClasses());
    HeadStage heads = new HeadStage(config);
    TrunkStage trunk = new TrunkStage(config);
    for (int round = 1; round <= config.rounds(); round++) {
      if (2 * round - 1 > doneStage) {
        long t1 = System.nanoTime();
        EmbeddingSource table = engine.embed(model, config.chunkRows(), config.embeddingPrecision());
        model = heads.run(engine, model, table, positives, round);
        engine.discard(table);
        listener.stageDone("round " + round + " heads", model, Double.NaN, seconds(t1));
      }
      if (2 * round <= doneStage) {
        continue;
      }
      long t2 = System.nanoTime();
      model = trunk.run(engine, model, round);
      listener.stageDone("round " + round + " trunk", model,
          trunk.lastResult() == null ? Double.NaN : trunk.lastResult().loss(), seconds(t2));
    }
    return model;
  }

  /** Positive videos per class over the engine's shards (they decide the experts per class). */
  public static long[] positives(Engine engine, int numClasses) {
    return engine.aggregateShards(shard -> {
      long[] counts = new long[numClasses];
      VideoBatch batch = null;
      while (true) {
        if (batch == null) {
          // Width 0: the labels are gathered, no feature is copied. A frame-level batch takes a
          // video of any frame count, so it serves video-level shards too.
          batch = new VideoBatch(org.vidar.data.FeatureSpec.Level.FRAME, 0);
        }
        if (!shard.next(batch, 4096)) {
          return counts;
        }
        for (int i = 0; i < batch.labelOffsets[batch.rows]; i++) {
          counts[batch.labels[i]]++;
        }
      }
    }, (a, b) -> {
      for (int i = 0; i < a.length; i++) {
        a[i] += b[i];
      }
      return a;
    });
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
