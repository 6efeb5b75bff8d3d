package org.vidar.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.vidar.data.FeatureSpec;
import org.vidar.data.ProgressSink;
import org.vidar.data.batch.InMemoryPretrainData;
import org.vidar.data.batch.PretrainData;
import org.vidar.data.batch.VideoBatch;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.train.embedding.EmbeddingSource;

/**
 * The paper's whole pipeline on an engine: pre-training, then {@code rounds} of Stage 1 (fresh
 * heads, model-parallel) and Stage 2 (trunk, data-parallel). A model without a trunk skips
 * pre-training (see {@link #skipsPretraining}). A listener sees the model after every stage, for
 * evaluation and checkpoints.
 */
public final class Trainer {
  /** Called after each stage with the stage's name ("pretrain", "round 1 heads", ...) and result. */
  @FunctionalInterface
  public interface Listener {
    void stageDone(String stage, StageResult result, double seconds);

    /**
     * Called after every pre-training epoch with the model so far and the training seconds since
     * pre-training began; the time spent here counts in neither the epochs' nor the stage's seconds.
     */
    default void epochDone(int epoch, StageResult result, double seconds) {}

    /** Pre-training's held-out videos: see {@link Pretrain.EpochListener#heldOut}. */
    default void heldOut(long trained, int scored) {}

    /**
     * Pre-training did not run: the model has no trunk, so its small heads would only be replaced
     * by Stage 1's fresh ones; Stage 1 trains the heads from the initial model instead.
     */
    default void pretrainSkipped() {}

    /**
     * A Stage 1 class group's heads after one of its Adam passes, when the groups run in this JVM
     * (the local engine); see {@link HeadStage.PassObserver}.
     */
    default void headPassDone(int[] classes, int pass, float[] params) {}

    /** Called once the training data are counted, before the first round: videos and positives per class. */
    default void dataCounted(ClassCounts counts) {}

    /**
     * Where the stages tell how far they are: pre-training's batches, each embedding pass's videos,
     * Stage 1's class groups, Stage 2's steps. None by default.
     */
    default ProgressSink progress() {
      return ProgressSink.NONE;
    }
  }

  /**
   * The training videos, the frames training reads of them (frame level, after sampling; the videos
   * at video level) and each class's positive videos, over all of the engine's shards.
   */
  public record ClassCounts(long videos, long frames, long[] positives) implements java.io.Serializable {
    ClassCounts plus(ClassCounts o) {
      for (int i = 0; i < positives.length; i++) {
        positives[i] += o.positives[i];
      }
      return new ClassCounts(videos + o.videos, frames + o.frames, positives);
    }
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
    ProgressSink progress = listener.progress();
    VideoModel model = resumeFrom;
    if (model == null && skipsPretraining(modelConfig)) {
      model = new Pretrain(config).initialModel(modelConfig);
      listener.pretrainSkipped();
      doneStage = 0;
    } else if (model == null) {
      long[] listening = {0}; // the listener's time after each epoch (validation, say) is not training time
      StageResult pretrained = new Pretrain(config, progress).run(pretrainData, modelConfig, new Pretrain.EpochListener() {
        @Override
        public void epochDone(int epoch, StageResult result, double seconds) {
          long heard = System.nanoTime();
          listener.epochDone(epoch, result, seconds);
          listening[0] += System.nanoTime() - heard;
        }

        @Override
        public void heldOut(long trained, int scored) {
          listener.heldOut(trained, scored);
        }
      });
      model = pretrained.model();
      listener.stageDone("pretrain", pretrained, seconds(t0) - listening[0] / 1e9);
      doneStage = 0;
    }
    // A pass over the data (on Spark, over the files): its tasks are its progress.
    progress.begin("counting the training videos", 0, "videos");
    ClassCounts counts = count(engine, modelConfig.numClasses());
    progress.end();
    listener.dataCounted(counts);
    long[] positives = counts.positives();
    HeadStage heads = new HeadStage(config, listener::headPassDone, progress);
    TrunkStage trunk = new TrunkStage(config, progress);
    long embeddings = counts.videos()
        * Engine.embeddingDraws(modelConfig.features().level(), config.frameSampling(), config.headDraws());
    // Without trunk parameters (heads on the features) Stage 2 has nothing to tune, and a later
    // round would train the same fresh heads on the same embeddings again: one round is all
    // (unless the heads continue from round to round).
    int rounds = model.trunkParams().length == 0 && !config.continueHeads() ? Math.min(1, config.rounds())
        : config.rounds();
    for (int round = 1; round <= rounds; round++) {
      if (2 * round - 1 > doneStage) {
        long t1 = System.nanoTime();
        progress.begin("round " + round + " embeddings", embeddings, "videos");
        EmbeddingSource table = engine.embed(model, config.chunkRows(), config.embeddingPrecision(), config.headDraws());
        progress.end();
        StageResult trained;
        try {
          trained = heads.run(engine, model, table, embeddings, positives, round);
        } finally {
          engine.discard(table);
        }
        model = trained.model();
        listener.stageDone("round " + round + " heads", trained, seconds(t1));
      }
      if (2 * round <= doneStage) {
        continue;
      }
      long t2 = System.nanoTime();
      StageResult tuned = trunk.run(engine, model, round);
      model = tuned.model();
      listener.stageDone("round " + round + " trunk", tuned, seconds(t2));
    }
    return model;
  }

  /**
   * Whether pre-training is skipped: with no trunk parameters (heads on the features) it would
   * train only heads that round 1's fresh heads replace, so Stage 1, training the large heads from
   * scratch, is the whole of training. Pre-training still runs when it is all there is (no rounds)
   * and when heads continue from stage to stage ({@link TrainConfig#continueHeads}).
   */
  boolean skipsPretraining(ModelConfig modelConfig) {
    return config.rounds() > 0 && !config.continueHeads() && !modelConfig.hasTrainableTrunk();
  }

  /** Videos, and positive videos per class, over the engine's shards (they decide the experts per class). */
  public static ClassCounts count(Engine engine, int numClasses) {
    return engine.aggregateShards(shard -> {
      long[] counts = new long[numClasses];
      long videos = 0;
      long frames = 0;
      // Width 0: the labels are gathered, no feature is copied. A frame-level batch takes a video of
      // any frame count, so it serves video-level shards too (one row a video).
      VideoBatch batch = new VideoBatch(FeatureSpec.Level.FRAME, 0);
      while (shard.next(batch, 4096)) {
        videos += batch.rows;
        frames += batch.frameOffsets[batch.rows];
        for (int i = 0; i < batch.labelOffsets[batch.rows]; i++) {
          counts[batch.labels[i]]++;
        }
      }
      return new ClassCounts(videos, frames, counts);
    }, ClassCounts::plus);
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
