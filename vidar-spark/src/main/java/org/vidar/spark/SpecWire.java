package org.vidar.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;

/**
 * A {@link FeatureSpec} in a form Java serialization ships to executors (the core record is not
 * {@link Serializable}); {@link #toSpec()} rebuilds and revalidates it on the other side.
 */
record SpecWire(FeatureSpec.Level level, List<String> idKeys, String labelsKey, List<String> featureNames,
    int[] featureSizes, int numClasses, int maxFrames) implements Serializable {

  static SpecWire of(FeatureSpec spec) {
    List<String> names = new ArrayList<>();
    int[] sizes = new int[spec.features().size()];
    for (int i = 0; i < sizes.length; i++) {
      names.add(spec.features().get(i).name());
      sizes[i] = spec.features().get(i).size();
    }
    return new SpecWire(spec.level(), new ArrayList<>(spec.idKeys()), spec.labelsKey(), names, sizes,
        spec.numClasses(), spec.maxFrames());
  }

  FeatureSpec toSpec() {
    List<FeatureField> fields = new ArrayList<>();
    for (int i = 0; i < featureSizes.length; i++) {
      fields.add(new FeatureField(featureNames.get(i), featureSizes[i]));
    }
    return new FeatureSpec(level, idKeys, labelsKey, fields, numClasses, maxFrames);
  }
}
