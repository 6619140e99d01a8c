package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/**
 * A moderator starts and stops a recording over signaling, as the web client's settings panel does: everyone is
 * told, late joiners too; anyone else is refused with a clear error, as is a request the egress cannot take.
 */
class RecordingSignalingIT {
  @TempDir
  static Path storage;
  private static LchatNode node;

  @BeforeAll
  static void start() throws Exception {
    node = LchatNode.start(ConfigFactory.parseMap(Map.<String, Object>of(
            "lchat.egress.enabled", true,
            "lchat.egress.storage", storage.toString(),
            "lchat.room.features.recording", true))
        .withFallback(TestNodes.config(0, List.of())));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aModeratorStartsAndStopsARecordingEveryoneIsToldAndOthersAreRefused() throws Exception {
    try (WsClient host = new WsClient(node.httpPort()); WsClient guest = new WsClient(node.httpPort())) {
      host.join("signaled", "Host");
      guest.join("signaled", "Guest");
      host.drain();

      guest.send("{\"type\":\"startRecording\"}");
      JsonNode refused = guest.next("error");
      assertEquals("recording_refused", refused.path("code").asText(), refused.toString());
      assertTrue(refused.path("message").asText().contains("moderator"), refused.toString());

      host.send("{\"type\":\"startRecording\",\"layout\":\"mosaic\"}");
      JsonNode invalid = host.next("error");
      assertEquals("invalid", invalid.path("code").asText(), invalid.toString());

      host.send("{\"type\":\"startRecording\",\"output\":\"track\"}");
      String egressId = null;
      for (WsClient member : new WsClient[] {host, guest}) {
        JsonNode on = member.next("recording", m -> m.path("active").asBoolean());
        assertEquals("Host", on.path("recording").path("startedBy").asText(), on.toString());
        egressId = on.path("recording").path("egressId").asText();
      }

      try (WsClient late = new WsClient(node.httpPort())) {
        JsonNode joined = late.join("signaled", "Late");
        assertEquals(egressId, joined.path("room").path("recording").path("egressId").asText(), joined.toString());
      }

      host.send("{\"type\":\"startRecording\"}");
      JsonNode twice = host.next("error");
      assertEquals("recording_refused", twice.path("code").asText(), "one recording at a time: " + twice);

      guest.send("{\"type\":\"stopRecording\",\"egressId\":\"" + egressId + "\"}");
      assertEquals("recording_refused", guest.next("error").path("code").asText());
      host.send("{\"type\":\"stopRecording\",\"egressId\":\"" + egressId + "\"}");
      for (WsClient member : new WsClient[] {host, guest}) {
        JsonNode off = member.next("recording", m -> !m.path("active").asBoolean());
        assertEquals("stopped", off.path("reason").asText(), off.toString());
      }
    }
  }
}
