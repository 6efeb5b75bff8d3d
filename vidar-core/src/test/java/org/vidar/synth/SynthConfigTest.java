package org.vidar.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SynthConfigTest {
  @Test
  void defaultsMatchYouTube8mShapes() {
    SynthConfig c = SynthConfig.builder().build();
    assertEquals(300, c.numClasses());
    assertEquals(1152, c.featureDim());
    assertEquals(224, c.latentDim());
    assertEquals(60, c.minFrames());
    assertEquals(300, c.maxFrames());
  }

  @Test
  void latentSizeGrowsWithTheClassCountAndIsCapped() {
    assertEquals(224, SynthConfig.defaultLatentDim(300, 1152));
    assertEquals(352, SynthConfig.defaultLatentDim(3862, 1152));
    assertEquals(352, SynthConfig.defaultLatentDim(4716, 1152));
    assertEquals(96, SynthConfig.defaultLatentDim(10, 1152));
    assertEquals(16, SynthConfig.defaultLatentDim(4716, 7));
    assertEquals(352, SynthConfig.builder().numClasses(4716).build().latentDim());
    assertEquals(50, SynthConfig.builder().latentDim(50).build().latentDim());
  }

  @Test
  void toBuilderKeepsEveryField() {
    SynthConfig c = SynthConfig.builder().numClasses(77).seed(5).sharpness(12).frames(10, 20)
        .build();
    assertEquals(c, c.toBuilder().build());
    assertEquals(6, c.toBuilder().seed(6).build().seed());
  }

  @Test
  void eachLabelSourceHasItsOwnSharpnessAndThreshold() {
    SynthConfig mean = SynthConfig.builder().build();
    assertEquals(LabelSource.MEAN, mean.labelSource());
    assertEquals(30, mean.sharpness());
    assertEquals(0.45, mean.threshold());
    SynthConfig seg = SynthConfig.builder().labelSource(LabelSource.SEGMENTS).build();
    assertEquals(LabelSource.SEGMENTS.defaultSharpness(), seg.sharpness());
    assertEquals(LabelSource.SEGMENTS.defaultThreshold(), seg.threshold());
    assertEquals(12, SynthConfig.builder().labelSource(LabelSource.SEGMENTS).sharpness(12).build()
        .sharpness());
    // toBuilder keeps explicit values; 0 takes the new source's defaults again
    assertEquals(30, mean.toBuilder().labelSource(LabelSource.SEGMENTS).build().sharpness());
    assertEquals(seg, mean.toBuilder().labelSource(LabelSource.SEGMENTS).sharpness(0).threshold(0)
        .build());
  }

  @Test
  void invalidValuesNameTheField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SynthConfig.builder().frames(100, 50).build());
    assertTrue(e.getMessage().contains("maxFrames"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> SynthConfig.builder().numClasses(0).build());
    assertTrue(e.getMessage().contains("numClasses"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> SynthConfig.builder().meanSeeds(0.5).build());
    assertTrue(e.getMessage().contains("meanSeeds"), e.getMessage());
  }
}
