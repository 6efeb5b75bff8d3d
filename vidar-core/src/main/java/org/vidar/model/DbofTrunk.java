package org.vidar.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.vidar.data.batch.VideoBatch;
import org.vidar.model.layer.Activation;
import org.vidar.model.layer.BatchNorm;
import org.vidar.model.layer.ContextGating;
import org.vidar.model.layer.Dense;
import org.vidar.model.layer.FramePooling;
import org.vidar.model.layer.Layer;
import org.vidar.model.layer.NormalizedDense;
import org.vidar.model.param.ParameterLayout;

/**
 * The frame-level Deep Bag of Frames trunk: per frame a dense layer (with context gating after it
 * when configured), pooling over each video's frames (SWAP, mean or max), then a video-level dense
 * ReLU layer with context gating. With batch normalization (see {@link TrunkConfig.Dbof#batchNorm})
 * the frames are normalized before the per-frame layer, and each dense layer's product before its
 * ReLU.
 */
public final class DbofTrunk implements Trunk {
  private final int inputDim;
  private final LayerStack frameStack;
  private final FramePooling pooling;
  private final LayerStack videoStack;
  private final ParameterLayout layout;
  private final int frameDim;

  public DbofTrunk(TrunkConfig.Dbof config, int inputDim) {
    this.inputDim = inputDim;
    ParameterLayout.Builder b = ParameterLayout.builder();
    List<Layer> frame = new ArrayList<>();
    int f = config.frameHidden();
    if (config.batchNorm()) {
      // One layer for the two: it skips the product that only the input BN's γ and β would need.
      frame.add(new NormalizedDense(new BatchNorm(b, "trunk/input_bn", inputDim),
          new Dense(b, "trunk/frame_fc", inputDim, f, Activation.NONE)));
      frame.add(new BatchNorm(b, "trunk/frame_bn", f));
      frame.add(new Relu(f));
    } else {
      frame.add(new Dense(b, "trunk/frame_fc", inputDim, f, Activation.RELU));
    }
    if (config.frameContextGating()) {
      frame.add(new ContextGating(b, "trunk/frame_gating", f));
    }
    this.frameStack = new LayerStack(frame);
    this.frameDim = f;
    this.pooling = new FramePooling(f, FramePooling.Mode.valueOf(config.pooling().name()));
    int v = config.videoHidden();
    this.videoStack = new LayerStack(config.batchNorm()
        ? List.of(new Dense(b, "trunk/video_fc", f, v, Activation.NONE), new BatchNorm(b, "trunk/video_bn", v),
            new Relu(v), new ContextGating(b, "trunk/video_gating", v))
        : List.of(new Dense(b, "trunk/video_fc", f, v, Activation.RELU), new ContextGating(b, "trunk/video_gating", v)));
    this.layout = b.build();
  }

  @Override
  public int inputDim() {
    return inputDim;
  }

  @Override
  public int outputDim() {
    return videoStack.outputDim(frameDim);
  }

  @Override
  public ParameterLayout layout() {
    return layout;
  }

  @Override
  public void initialize(float[] params, SplittableRandom random) {
    frameStack.initialize(params, random);
    videoStack.initialize(params, random);
  }

  @Override
  public void commitStatistics(float[] params, Scratch s) {
    DbofScratch d = (DbofScratch) s;
    frameStack.commitStatistics(params, d.frame);
    videoStack.commitStatistics(params, d.video);
  }

  @Override
  public Scratch newScratch(boolean training) {
    BatchNorm.Mode mode = training ? BatchNorm.Mode.TRAINING : BatchNorm.Mode.FROZEN;
    return new DbofScratch(frameStack.newScratch(mode), pooling.newScratch(), videoStack.newScratch(mode));
  }

  @Override
  public void forward(float[] params, VideoBatch batch, float[] embedding, Scratch s) {
    DbofScratch d = (DbofScratch) s;
    int frames = batch.featureRows();
    d.frames = frameStack.forward(params, batch.features, frames, d.frame);
    d.pooled = LayerStack.ensure(d.pooled, (long) batch.rows * frameDim);
    pooling.forward(d.frames, batch.frameOffsets, batch.rows, d.pooled, d.pool);
    float[] out = videoStack.forward(params, d.pooled, batch.rows, d.video);
    System.arraycopy(out, 0, embedding, 0, batch.rows * outputDim());
  }

  @Override
  public void backward(float[] params, VideoBatch batch, float[] dEmbedding, float[] grad, Scratch s) {
    DbofScratch d = (DbofScratch) s;
    int frames = batch.featureRows();
    d.dPooled = LayerStack.ensure(d.dPooled, (long) batch.rows * frameDim);
    videoStack.backward(params, batch.rows, dEmbedding, d.dPooled, grad, d.video);
    d.dFrames = LayerStack.ensure(d.dFrames, (long) frames * frameDim);
    pooling.backward(d.frames, batch.frameOffsets, batch.rows, d.dPooled, d.dFrames, d.pool);
    frameStack.backward(params, frames, d.dFrames, null, grad, d.frame);
  }

  /** Buffers of one thread. */
  static final class DbofScratch implements Scratch {
    final LayerStack.Scratch frame;
    final FramePooling.Scratch pool;
    final LayerStack.Scratch video;
    float[] frames;
    float[] pooled = new float[0];
    float[] dPooled = new float[0];
    float[] dFrames = new float[0];

    DbofScratch(LayerStack.Scratch frame, FramePooling.Scratch pool, LayerStack.Scratch video) {
      this.frame = frame;
      this.pool = pool;
      this.video = video;
    }
  }
}
