package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vidar.math.SpareThreads;

/**
 * {@link LocalEngine#spareThreads}: a task finds none spare while the pool's other threads run
 * tasks, and the thread of a task that ended once it has; what is lent is not spare twice.
 */
class LocalEngineSpareThreadsTest {

  @Test
  void aTaskBorrowsTheThreadsOfTasksThatEnded() throws Exception {
    try (LocalEngine engine = new LocalEngine(TrainFixtures.separableVideos(8, 3, 2, 1), 3)) {
      SpareThreads spare = engine.spareThreads();
      assertEquals(2, spare.take(2), "nothing runs: every thread is idle");
      spare.giveBack(2);
      CountDownLatch othersStarted = new CountDownLatch(2);
      CountDownLatch othersMayEnd = new CountDownLatch(1);
      CountDownLatch othersEnded = new CountDownLatch(2);
      int[] seen = new int[4];
      engine.mapItems(List.of(0, 1, 2), i -> {
        if (i > 0) {
          othersStarted.countDown();
          await(othersMayEnd);
          othersEnded.countDown();
          return i;
        }
        await(othersStarted);
        seen[0] = spare.take(2); // all three threads run tasks
        othersMayEnd.countDown();
        await(othersEnded);
        // the two ended: their threads are idle once they have returned to the pool
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int got;
        while ((got = spare.take(2)) < 2 && System.nanoTime() < deadline) {
          spare.giveBack(got);
          Thread.onSpinWait();
        }
        seen[1] = got;
        seen[2] = spare.take(1); // lent already
        spare.giveBack(got);
        seen[3] = spare.take(5);
        spare.giveBack(seen[3]);
        return i;
      });
      assertEquals(0, seen[0], "none spare while every thread runs a task");
      assertEquals(2, seen[1], "the two threads whose tasks ended");
      assertEquals(0, seen[2], "lent threads are not spare");
      assertEquals(2, seen[3], "no more than there are");
      assertEquals(3, spare.take(3), "all idle again after the tasks");
      spare.giveBack(3);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
