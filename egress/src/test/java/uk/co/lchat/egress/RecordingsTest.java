package uk.co.lchat.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import uk.co.lchat.egress.EgressInfo.RecordedFile;

class RecordingsTest {
  @TempDir
  Path storage;

  private EgressInfo recorded(String room, String id, long startedAt, long endedAt) throws Exception {
    Path file = storage.resolve(room).resolve(id).resolve("composite.mp4");
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[] {1, 2, 3});
    return new EgressInfo(id, room, "composite", "ended", "stopped", startedAt, endedAt,
        List.of(new RecordedFile(storage.relativize(file).toString(), null, null, "composite", "h264+aac", 3, 1.0,
            startedAt, endedAt)), List.of(), false);
  }

  @Test
  void finishedRecordingsAreListedFromTheirIndexNewestFirstAndByRoom() throws Exception {
    Recordings r = new Recordings(storage, Duration.ZERO);
    r.save(recorded("alpha", "EG_1", 1_000, 2_000));
    r.save(recorded("alpha", "EG_2", 5_000, 6_000));
    r.save(recorded("beta", "EG_3", 3_000, 4_000));
    assertEquals(List.of("EG_2", "EG_3", "EG_1"), r.list(null).stream().map(EgressInfo::egressId).toList());
    assertEquals(List.of("EG_2", "EG_1"), r.list("alpha").stream().map(EgressInfo::egressId).toList());
    assertEquals("beta", r.find("EG_3").orElseThrow().roomId());
    assertTrue(r.list("gamma").isEmpty());
  }

  @Test
  void onlyAFileTheRecordingListsIsServedWhateverTheNameAsks() throws Exception {
    Recordings r = new Recordings(storage, Duration.ZERO);
    r.save(recorded("alpha", "EG_1", 1_000, 2_000));
    Files.writeString(storage.resolve("secret.txt"), "not a recording");
    assertTrue(r.file("EG_1", "composite.mp4").isPresent());
    assertFalse(r.file("EG_1", "../../secret.txt").isPresent());
    assertFalse(r.file("EG_1", "egress.json").isPresent());
    assertFalse(r.file("EG_unknown", "composite.mp4").isPresent());
  }

  @Test
  void aDamagedIndexIsLeftOutInsteadOfFailingTheList() throws Exception {
    Recordings r = new Recordings(storage, Duration.ZERO);
    r.save(recorded("alpha", "EG_1", 1_000, 2_000));
    Files.createDirectories(storage.resolve("alpha/EG_bad"));
    Files.writeString(storage.resolve("alpha/EG_bad/egress.json"), "{not json");
    assertEquals(List.of("EG_1"), r.list(null).stream().map(EgressInfo::egressId).toList());
  }

  @Test
  void recordingsOlderThanTheRetentionPeriodAreDeletedWithTheirFiles() throws Exception {
    Recordings r = new Recordings(storage, Duration.ofDays(30));
    long day = Duration.ofDays(1).toMillis();
    long now = 100 * day;
    r.save(recorded("alpha", "EG_old", now - 40 * day, now - 31 * day));
    r.save(recorded("alpha", "EG_new", now - 2 * day, now - day));
    assertEquals(1, r.expire(now));
    assertFalse(Files.exists(storage.resolve("alpha/EG_old")));
    assertTrue(Files.exists(storage.resolve("alpha/EG_new/composite.mp4")));
    assertEquals(0, new Recordings(storage, Duration.ZERO).expire(now + 1000 * day), "0 keeps everything");
  }
}
