package org.vidar.data.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vidar.model.layer.GradCheck;

class InputNormalizationTest {

  @Test
  void rowsGetUnitNormAndZeroRowsStayZero() {
    for (int dim : new int[] {1, 5, 13}) {
      SplittableRandom r = new SplittableRandom(dim);
      int rows = 4;
      float[] x = GradCheck.uniform(r, rows * dim, -3, 3);
      java.util.Arrays.fill(x, 2 * dim, 3 * dim, 0f); // row 2 is zero
      double[] ref = GradCheck.toDouble(x);
      InputNormalization.l2NormalizeRows(x, rows, dim);
      for (int row = 0; row < rows; row++) {
        double norm = 0;
        for (int j = 0; j < dim; j++) {
          norm += ref[row * dim + j] * ref[row * dim + j];
        }
        norm = Math.sqrt(norm);
        for (int j = 0; j < dim; j++) {
          double want = norm == 0 ? 0 : ref[row * dim + j] / norm;
          assertEquals(want, x[row * dim + j], 1e-6, "dim " + dim + " row " + row + " col " + j);
        }
      }
    }
  }

  @Test
  void leavesValuesPastTheRowsAlone() {
    float[] x = {3, 4, 5};
    InputNormalization.l2NormalizeRows(x, 1, 2);
    assertEquals(0.6f, x[0], 1e-7);
    assertEquals(0.8f, x[1], 1e-7);
    assertEquals(5f, x[2]);
  }
}
