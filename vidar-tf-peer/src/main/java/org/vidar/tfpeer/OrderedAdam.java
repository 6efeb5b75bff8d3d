package org.vidar.tfpeer;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Adam (Kingma and Ba) for float variables with TensorFlow's {@code ApplyAdam} kernel, the update
 * Python's {@code tf.compat.v1.train.AdamOptimizer} runs, on the framework's slot bookkeeping.
 *
 * <p>Why not the framework's own {@code Adam}: in TF Java 1.1.0 it updates {@code beta1_power} and
 * {@code beta2_power} in the same group as the {@code ApplyAdam} ops, with no order between them, so
 * a step may read the powers before or after they advance (at step 1 the bias-corrected rate differs
 * by a quarter) and runs are not repeatable. Here the powers advance only after every variable's
 * update, as in Python's {@code AdamOptimizer._finish}. The slots are zero-filled from the static
 * shape rather than from {@code tf.shape(variable)}, a read of the variable that could run before the
 * variable's own initialiser.
 */
final class OrderedAdam extends Optimizer {
  private static final String FIRST_MOMENT = "m";
  private static final String SECOND_MOMENT = "v";

  private final float learningRate;
  private final float betaOne;
  private final float betaTwo;
  private final float epsilon;
  private Variable<TFloat32> betaOnePower;
  private Variable<TFloat32> betaTwoPower;

  /** Adam with TensorFlow's defaults beta1 0.9, beta2 0.999, epsilon 1e-8 (the starter's too). */
  OrderedAdam(Graph graph, float learningRate) {
    super(graph, "Adam");
    this.learningRate = learningRate;
    this.betaOne = 0.9f;
    this.betaTwo = 0.999f;
    this.epsilon = 1e-8f;
  }

  @Override
  protected void createSlots(List<Output<? extends TType>> variables) {
    Ops init = tf.withInitScope();
    for (Output<? extends TType> variable : variables) {
      Output<TFloat32> v = asFloat(variable);
      long[] dims = v.shape().asArray();
      createSlot(v, FIRST_MOMENT, init.zeros(init.constant(dims), TFloat32.class));
      createSlot(v, SECOND_MOMENT, init.zeros(init.constant(dims), TFloat32.class));
    }
    betaOnePower = init.withName("beta1_power").variable(init.constant(betaOne));
    betaTwoPower = init.withName("beta2_power").variable(init.constant(betaTwo));
  }

  @Override
  protected <T extends TType> Op applyDense(Ops deps, Output<T> gradient, Output<T> variable) {
    Output<TFloat32> v = asFloat(variable);
    return deps.train.applyAdam(v, getSlot(v, FIRST_MOMENT).orElseThrow(),
        getSlot(v, SECOND_MOMENT).orElseThrow(), betaOnePower, betaTwoPower,
        deps.constant(learningRate), deps.constant(betaOne), deps.constant(betaTwo),
        deps.constant(epsilon), asFloat(gradient));
  }

  @Override
  protected Op finish(List<Op> updateOperations, String name) {
    Ops after = tf.withControlDependencies(updateOperations);
    List<Op> all = new ArrayList<>(updateOperations);
    all.add(after.assign(betaOnePower, after.math.mul(betaOnePower, after.constant(betaOne))));
    all.add(after.assign(betaTwoPower, after.math.mul(betaTwoPower, after.constant(betaTwo))));
    return super.finish(all, name);
  }

  @Override
  public String getOptimizerName() {
    return "Adam";
  }

  @SuppressWarnings("unchecked")
  private static Output<TFloat32> asFloat(Output<? extends TType> output) {
    if (output.type() != TFloat32.class) {
      throw new IllegalArgumentException(output + " is " + output.type().getSimpleName()
          + "; OrderedAdam handles float32 variables only");
    }
    return (Output<TFloat32>) output;
  }
}
