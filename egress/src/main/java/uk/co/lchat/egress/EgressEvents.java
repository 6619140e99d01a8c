package uk.co.lchat.egress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import uk.co.lchat.egress.EgressInfo.RecordedFile;
import uk.co.lchat.room.WebhookSender;

/**
 * Where an egress reports its start and end: the deployment's webhooks ({@code egress.started} /
 * {@code egress.ended}).
 */
interface EgressEvents {
  void started(EgressInfo info);

  void ended(EgressInfo info);

  static EgressEvents webhooks(WebhookSender webhooks) {
    return new EgressEvents() {
      @Override
      public void started(EgressInfo info) {
        webhooks.egressEvent(WebhookSender.Event.EGRESS_STARTED, info.roomId(), fields(info));
      }

      @Override
      public void ended(EgressInfo info) {
        Map<String, Object> f = fields(info);
        f.put("reason", info.reason());
        f.put("durationSeconds", (info.endedAtMillis() - info.startedAtMillis()) / 1000.0);
        List<Map<String, Object>> files = new ArrayList<>();
        for (RecordedFile file : info.files()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("name", file.name());
          m.put("participantId", file.participantId());
          m.put("displayName", file.displayName());
          m.put("kind", file.kind());
          m.put("codec", file.codec());
          m.put("size", file.bytes());
          m.put("durationSeconds", file.durationSeconds());
          if (file.startedAtMillis() > 0) {
            m.put("startedAt", java.time.Instant.ofEpochMilli(file.startedAtMillis()).toString());
          }
          if (file.stoppedAtMillis() > 0) {
            m.put("stoppedAt", java.time.Instant.ofEpochMilli(file.stoppedAtMillis()).toString());
          }
          files.add(m);
        }
        f.put("files", files);
        webhooks.egressEvent(WebhookSender.Event.EGRESS_ENDED, info.roomId(), f);
      }

      private Map<String, Object> fields(EgressInfo info) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("egressId", info.egressId());
        f.put("type", info.type());
        if (!info.rtmp().isEmpty()) {
          f.put("rtmp", info.rtmp());
        }
        if (info.hls()) {
          f.put("hls", info.hlsPath());
        }
        return f;
      }
    };
  }
}
