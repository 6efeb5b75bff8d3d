package org.vidar.model.layer;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vidar.math.Kernels;
import org.vidar.model.param.ParameterLayout;

/** Dense(ReLU) → BatchNorm → ContextGating → Dense: gradients checked end to end. */
class LayerStackTest {

  /** Layers applied in order; its scratch holds the children's scratches and activations. */
  static final class Stack implements Layer {
    final List<Layer> layers;

    Stack(List<Layer> layers) {
      this.layers = layers;
    }

    static final class Scratch implements Layer.Scratch {
      final Layer.Scratch[] children;
      final float[][] acts;

      Scratch(Layer.Scratch[] children) {
        this.children = children;
        this.acts = new float[children.length][];
      }
    }

    @Override
    public int inputDim() {
      return layers.get(0).inputDim();
    }

    @Override
    public int outputDim() {
      return layers.get(layers.size() - 1).outputDim();
    }

    @Override
    public void initialize(float[] params, SplittableRandom random) {
      layers.forEach(l -> l.initialize(params, random));
    }

    @Override
    public Scratch newScratch() {
      return new Scratch(layers.stream().map(Layer::newScratch).toArray(Layer.Scratch[]::new));
    }

    @Override
    public void forward(float[] params, float[] x, int rows, float[] y, Layer.Scratch scratch) {
      Scratch s = (Scratch) scratch;
      float[] in = x;
      for (int i = 0; i < layers.size(); i++) {
        Layer l = layers.get(i);
        float[] out = i == layers.size() - 1 ? y : new float[rows * l.outputDim()];
        l.forward(params, in, rows, out, s.children[i]);
        s.acts[i] = in;
        in = out;
      }
    }

    @Override
    public void backward(float[] params, float[] x, int rows, float[] dy, float[] dx, float[] grad,
        Layer.Scratch scratch) {
      Scratch s = (Scratch) scratch;
      float[] d = dy;
      for (int i = layers.size() - 1; i >= 0; i--) {
        Layer l = layers.get(i);
        float[] din = i == 0 ? dx : new float[rows * l.inputDim()];
        l.backward(params, s.acts[i], rows, d, din, grad, s.children[i]);
        d = din;
      }
    }
  }

  static Stream<Arguments> cases() {
    return GradCheck.kernels().stream().flatMap(k -> Stream.of(
        Arguments.of(k, BatchNorm.Mode.TRAINING, 7), Arguments.of(k, BatchNorm.Mode.FROZEN, 7),
        Arguments.of(k, BatchNorm.Mode.TRAINING, 3), Arguments.of(k, BatchNorm.Mode.FROZEN, 1)));
  }

  @ParameterizedTest(name = "{0} {1} rows={2}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(Kernels kernels, BatchNorm.Mode mode, int rows) {
    int in = 5;
    int h = 13;
    int out = 4;
    SplittableRandom r = new SplittableRandom(rows + mode.ordinal() * 100L);
    ParameterLayout.Builder b = ParameterLayout.builder();
    b.add("pad", 1);
    Dense fc1 = new Dense(b, "trunk/fc1", in, h, Activation.RELU, kernels);
    BatchNorm bn = new BatchNorm(b, "trunk/bn", h);
    ContextGating cg = new ContextGating(b, "trunk/gate", h, kernels);
    Dense fc2 = new Dense(b, "head/fc", h, out, Activation.NONE, kernels);
    ParameterLayout layout = b.build();
    float[] params = BatchNormTest.randomParams(bn, layout, r);
    Stack stack = new Stack(List.of(fc1, new BatchNormTest.Moded(bn, mode), cg, fc2));
    float[] x = GradCheck.uniform(r, rows * in, -2, 2);
    GradCheck.Reference ref = (p, xx, n) -> {
      double[] a = DenseTest.reference(p, fc1.weight().offset(), fc1.bias().offset(), in, h,
          Activation.RELU, xx, n);
      a = BatchNormTest.reference(p, bn, mode, a, n);
      a = ContextGatingTest.reference(p, cg.weight().offset(), cg.bias().offset(), h, a, n);
      return DenseTest.reference(p, fc2.weight().offset(), fc2.bias().offset(), h, out,
          Activation.NONE, a, n);
    };
    GradCheck.check("stack " + mode, stack, stack.newScratch(), layout, params, x, rows, ref, r);
    GradCheck.checkAccumulation("stack " + mode, stack, layout, params, rows, r);
  }
}
