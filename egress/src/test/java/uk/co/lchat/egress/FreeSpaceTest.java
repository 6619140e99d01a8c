package uk.co.lchat.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreeSpaceTest {
  private static final long MB = 1_000_000L;

  @TempDir
  Path dir;

  @Test
  void aStorageBelowItsMinimumIsLowAndTheRefusalNamesWhatIsFreeAndTheSetting() {
    FreeSpace space = new FreeSpace(500 * MB, () -> 120 * MB);
    assertTrue(space.low());
    String refusal = space.refusal();
    assertTrue(refusal.contains("120.0 MB") && refusal.contains("500.0 MB")
        && refusal.contains("lchat.egress.min-free-space"), refusal);
  }

  @Test
  void aStorageWithItsMinimumFreeOrMoreTakesRecordings() {
    FreeSpace space = new FreeSpace(500 * MB, () -> 500 * MB);
    assertFalse(space.low());
    assertNull(space.refusal());
    assertFalse(space.explainsFailure(), "a writer that died with room left failed for something else");
  }

  @Test
  void aStoreWhoseSpaceCannotBeReadIsNotTakenAsFull() {
    FreeSpace space = new FreeSpace(500 * MB, () -> -1);
    assertFalse(space.low());
    assertNull(space.refusal());
    assertFalse(space.explainsFailure());
  }

  @Test
  void aWriterThatDiedOnALowOrNearlyEmptyStoreRanOutOfSpaceEvenWhenNoMinimumIsKept() {
    assertTrue(new FreeSpace(500 * MB, () -> 400 * MB).explainsFailure(), "below the minimum");
    FreeSpace none = new FreeSpace(0, () -> 100_000);
    assertFalse(none.low(), "no minimum: nothing ends early");
    assertTrue(none.explainsFailure(), "100 kB left: its log may not even have been written");
    assertFalse(new FreeSpace(0, () -> 10_000 * MB).explainsFailure());
  }

  @Test
  void aStorageNotCreatedYetIsMeasuredOnTheStoreThatWillHoldIt() throws Exception {
    long free = FreeSpace.usableSpace(dir.resolve("not/made/yet"));
    assertTrue(free > 0, "" + free);
    assertEquals(Files.getFileStore(dir).getUsableSpace(), free, 100 * MB, "the temporary directory's store");
  }
}
