package org.vidar.model.param;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named tensors of a model part laid out end to end in one flat float array. Optimizers, the
 * gradient sums of the engines and the model file all work on the flat array; layers find their
 * tensors in it by {@link TensorRef#offset()}. Built once, immutable afterwards.
 */
public final class ParameterLayout {
  private final List<TensorRef> tensors;
  private final Map<String, TensorRef> byName;
  private final int size;

  private ParameterLayout(List<TensorRef> tensors) {
    this.tensors = Collections.unmodifiableList(new ArrayList<>(tensors));
    Map<String, TensorRef> map = new LinkedHashMap<>();
    long total = 0;
    for (TensorRef t : tensors) {
      if (map.put(t.name(), t) != null) {
        throw new IllegalArgumentException("tensor name " + t.name() + " used twice");
      }
      total += t.size();
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("parameters need " + total + " floats, more than one array holds");
    }
    this.byName = Collections.unmodifiableMap(map);
    this.size = (int) total;
  }

  /** Starts a layout. */
  public static Builder builder() {
    return new Builder();
  }

  /** Total number of floats. */
  public int size() {
    return size;
  }

  /** The tensors in order. */
  public List<TensorRef> tensors() {
    return tensors;
  }

  /** The tensor with this name. */
  public TensorRef get(String name) {
    TensorRef t = byName.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no tensor named " + name + " in " + byName.keySet());
    }
    return t;
  }

  /** True when a tensor of this name exists. */
  public boolean has(String name) {
    return byName.containsKey(name);
  }

  /** Adds tensors one after another, each starting where the previous one ends. */
  public static final class Builder {
    private final List<TensorRef> tensors = new ArrayList<>();
    private long next;

    /** Appends a tensor and returns its place. */
    public TensorRef add(String name, int... shape) {
      if (next > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("parameters exceed one array at " + name);
      }
      TensorRef t = new TensorRef(name, shape, (int) next);
      tensors.add(t);
      next += t.size();
      return t;
    }

    public ParameterLayout build() {
      return new ParameterLayout(tensors);
    }
  }
}
