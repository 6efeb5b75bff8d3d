package org.vidar.tfpeer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerArgsTest {
  @Test
  void listsTakeEveryValueUpToTheNextOption() {
    PeerConfig c = PeerArgs.parse(new String[] {"--train", "a", "b", "--validate=v1,v2", "--train",
        "c", "--out", "o", "--model", "mlp", "--clip=0"});
    assertEquals(List.of("a", "b", "c"), c.train());
    assertEquals(List.of("v1,v2"), c.validate());
    assertEquals(Path.of("o"), c.out());
    assertEquals(ModelKind.MLP, c.model());
    assertEquals(4, c.experts());
    assertEquals(0f, c.clip());
    assertEquals(1024, c.batch());
  }

  @Test
  void moeDefaultsToTwoExperts() {
    PeerConfig c = PeerArgs.parse(new String[] {"--train", "a", "--validate", "b", "--out", "o"});
    assertEquals(2, c.experts());
    assertEquals(0.01f, c.learningRate());
  }

  @Test
  void dbofHasItsOwnDefaults() {
    PeerConfig c = PeerArgs.parse(new String[] {"--train", "a", "--validate", "b", "--out", "o", "--model", "dbof"});
    assertTrue(c.model().frameLevel());
    assertEquals(2, c.experts());
    assertEquals(256, c.batch());
    assertEquals(0.001f, c.learningRate());
    assertEquals(1024, c.clusterSize());
    assertEquals(1024, c.hidden());
    assertEquals(30, c.sampleFrames());
    assertEquals(0.99f, c.bnDecay());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeerArgs.parse(
        new String[] {"--train", "a", "--validate", "b", "--out", "o", "--model", "dbof", "--bn-decay", "1"}));
    assertTrue(e.getMessage().contains("--bn-decay"), e.getMessage());
  }

  @Test
  void errorsNameTheOption() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeerArgs.parse(
        new String[] {"--train", "a", "--validate", "b", "--out", "o", "--batch", "0"}));
    assertTrue(e.getMessage().contains("--batch"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> PeerArgs.parse(
        new String[] {"--train", "a", "--validate", "b", "--out", "o", "--lr", "fast"}));
    assertTrue(e.getMessage().contains("--lr"), e.getMessage());
  }
}
