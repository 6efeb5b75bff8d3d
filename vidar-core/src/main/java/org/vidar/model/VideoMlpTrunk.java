package org.vidar.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.vidar.data.batch.VideoBatch;
import org.vidar.model.layer.Activation;
import org.vidar.model.layer.BatchNorm;
import org.vidar.model.layer.ContextGating;
import org.vidar.model.layer.Dense;
import org.vidar.model.layer.Layer;
import org.vidar.model.param.ParameterLayout;

/**
 * The video-level trunk: dense ReLU layers over a video's (mean) features, optionally context-gated
 * at the end. Depth 0 passes the features through unchanged, so the heads sit on the inputs.
 */
public final class VideoMlpTrunk implements Trunk {
  private final int inputDim;
  private final LayerStack stack;
  private final ParameterLayout layout;

  public VideoMlpTrunk(TrunkConfig.VideoMlp config, int inputDim) {
    this.inputDim = inputDim;
    ParameterLayout.Builder b = ParameterLayout.builder();
    List<Layer> layers = new ArrayList<>();
    int in = inputDim;
    for (int i = 0; i < config.hidden().size(); i++) {
      int out = config.hidden().get(i);
      layers.add(new Dense(b, "trunk/fc" + i, in, out, Activation.RELU));
      in = out;
    }
    if (config.contextGating()) {
      layers.add(new ContextGating(b, "trunk/gating", in));
    }
    this.stack = new LayerStack(layers);
    this.layout = b.build();
  }

  @Override
  public int inputDim() {
    return inputDim;
  }

  @Override
  public int outputDim() {
    return stack.outputDim(inputDim);
  }

  @Override
  public ParameterLayout layout() {
    return layout;
  }

  @Override
  public void initialize(float[] params, SplittableRandom random) {
    stack.initialize(params, random);
  }

  @Override
  public Scratch newScratch(boolean training) {
    return new StackScratch(stack.newScratch(training ? BatchNorm.Mode.TRAINING : BatchNorm.Mode.FROZEN));
  }

  @Override
  public void commitStatistics(float[] params, Scratch s) {
    stack.commitStatistics(params, ((StackScratch) s).stack);
  }

  @Override
  public void forward(float[] params, VideoBatch batch, float[] embedding, Scratch s) {
    float[] out = stack.forward(params, batch.features, batch.rows, ((StackScratch) s).stack);
    System.arraycopy(out, 0, embedding, 0, batch.rows * outputDim());
  }

  @Override
  public void backward(float[] params, VideoBatch batch, float[] dEmbedding, float[] grad, Scratch s) {
    if (!stack.isEmpty()) {
      stack.backward(params, batch.rows, dEmbedding, null, grad, ((StackScratch) s).stack);
    }
  }

  /** The stack's buffers. */
  record StackScratch(LayerStack.Scratch stack) implements Scratch {}
}
