package uk.co.lchat.node.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import uk.co.lchat.egress.EgressInfo;
import uk.co.lchat.egress.EgressInfo.RecordedFile;

class RecordingDownloadsTest {
  private final DownloadTickets tickets = new DownloadTickets(Duration.ofMinutes(10), 100, () -> 0);

  private static EgressInfo recording(String status, List<RecordedFile> files) {
    return new EgressInfo("EG_00000000000000a1", "moon", "track", status, status.equals("ended") ? "stopped" : null,
        1000, status.equals("ended") ? 14_000 : 0, files, List.of(), false);
  }

  private static RecordedFile track(String name, String who, String kind) {
    return new RecordedFile("moon/EG_00000000000000a1/" + name, "k3m9x2p7qa", who, kind, "opus", 81234, 12.94,
        1400, 13_350);
  }

  private String ticketOf(RecordingDownloads.ListedFile f) {
    assertTrue(f.downloadUrl().matches("/recordings/[A-Za-z0-9_-]{22}"), f.downloadUrl());
    return f.downloadUrl().substring("/recordings/".length());
  }

  @Test
  void eachFileOfAFinishedRecordingGetsALinkToThatFileOfThatRecordingOnly() {
    RecordingDownloads.Listed listed = RecordingDownloads.listed(recording("ended", List.of(
        track("Ann-k3m9x2p7qa-audio-a1.webm", "Ann", "audio"),
        track("Ann-k3m9x2p7qa-video-v1.webm", "Ann", "video"))), tickets);
    assertEquals("EG_00000000000000a1", listed.egressId());
    assertEquals("ended", listed.status());
    assertEquals("stopped", listed.reason());
    assertEquals(14_000, listed.endedAtMillis());
    assertEquals(2, listed.files().size());
    RecordingDownloads.ListedFile audio = listed.files().get(0);
    assertEquals("Ann-k3m9x2p7qa-audio-a1.webm", audio.name(), "its name alone: no storage path is shown");
    assertEquals("Ann", audio.displayName());
    assertEquals(81234, audio.sizeBytes());
    assertEquals(12.94, audio.durationSeconds());
    assertEquals(Optional.of(new DownloadTickets.Grant("EG_00000000000000a1", "Ann-k3m9x2p7qa-audio-a1.webm",
        "audio")), tickets.redeem(ticketOf(audio)));
    assertEquals(Optional.of(new DownloadTickets.Grant("EG_00000000000000a1", "Ann-k3m9x2p7qa-video-v1.webm",
        "video")), tickets.redeem(ticketOf(listed.files().get(1))));
  }

  @Test
  void aRunningRecordingIsListedWithoutLinks() {
    RecordingDownloads.Listed listed = RecordingDownloads.listed(recording("active", List.of()), tickets);
    assertEquals("active", listed.status());
    assertNull(listed.reason());
    assertEquals(List.of(), listed.files());
    assertEquals(0, tickets.size(), "no ticket for a file that is still being written");
  }

  @Test
  void aFileIsServedAsTheMediaItHolds() {
    assertEquals("audio/webm", RecordingDownloads.contentType(
        new DownloadTickets.Grant("EG_1", "Ann-a1.webm", "audio")).mediaType().toString());
    assertEquals("video/webm", RecordingDownloads.contentType(
        new DownloadTickets.Grant("EG_1", "Ann-v1.webm", "video")).mediaType().toString());
    assertEquals("video/webm", RecordingDownloads.contentType(
        new DownloadTickets.Grant("EG_1", "composite.webm", "composite")).mediaType().toString());
    assertEquals("video/mp4", RecordingDownloads.contentType(
        new DownloadTickets.Grant("EG_1", "composite.mp4", "composite")).mediaType().toString());
    assertEquals("application/octet-stream", RecordingDownloads.contentType(
        new DownloadTickets.Grant("EG_1", "notes.txt", null)).mediaType().toString());
  }

  @Test
  void whereRecordingIsNotWiredNothingIsListed() throws Exception {
    assertEquals(List.of(), new RecordingDownloads(null, null, tickets).list("moon")
        .toCompletableFuture().get(10, TimeUnit.SECONDS));
  }
}
