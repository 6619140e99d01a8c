package uk.co.lchat.room;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Posts signed room and participant events to the configured URLs.
 *
 * <p>Sending is fire-and-forget from the room's point of view: {@link #send} returns at once, delivery and retries
 * (exponential backoff) run on the HTTP client's threads, so a slow or dead receiver never delays a meeting.
 */
public class WebhookSender {
  public static final String SIGNATURE_HEADER = "X-Lchat-Signature";
  public static final String TIMESTAMP_HEADER = "X-Lchat-Timestamp";

  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RoomConfig.WebhookSettings settings;
  private final HttpClient client;

  public WebhookSender(RoomConfig.WebhookSettings settings) {
    this.settings = settings;
    this.client = settings.urls().isEmpty() ? null
        : HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
  }

  /** A sender for deployments without webhooks. */
  public static WebhookSender none() {
    return new WebhookSender(RoomConfig.WebhookSettings.none());
  }

  public enum Event {
    ROOM_CREATED("room.created"), ROOM_ENDED("room.ended"),
    PARTICIPANT_JOINED("participant.joined"), PARTICIPANT_LEFT("participant.left"),
    EGRESS_STARTED("egress.started"), EGRESS_ENDED("egress.ended");

    final String wireName;

    Event(String wireName) {
      this.wireName = wireName;
    }
  }

  /** Queues one event for every configured URL; participant fields may be null for room events. */
  public void send(Event event, String roomId, String participantId, String displayName) {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (participantId != null) {
      fields.put("participantId", participantId);
      fields.put("displayName", displayName);
    }
    send(event, roomId, fields);
  }

  /**
   * A room event; {@code reason} (room.ended): {@code empty} (the last person left), {@code api} (ended through the
   * server API), {@code empty_timeout} (created through the API, nobody came), {@code stopped} (its node stopped it
   * with nobody to hand it to).
   */
  public void roomEvent(Event event, String roomId, String reason) {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (reason != null) {
      fields.put("reason", reason);
    }
    send(event, roomId, fields);
  }

  /**
   * A participant event with its role ({@code moderator}, {@code participant}, {@code viewer}) and its join
   * token's subject (null without one); {@code reason} (participant.left): {@code left}, {@code removed},
   * {@code room_ended}.
   */
  public void participantEvent(Event event, String roomId, String participantId, String displayName,
                               RoomProtocol.Role role, String subject, String reason) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("participantId", participantId);
    fields.put("displayName", displayName);
    fields.put("role", role.name().toLowerCase(Locale.ROOT));
    fields.put("subject", subject);
    if (reason != null) {
      fields.put("reason", reason);
    }
    send(event, roomId, fields);
  }

  /** An egress event (recording): {@code fields} are its id, type and, when it ended, reason and files. */
  public void egressEvent(Event event, String roomId, Map<String, Object> fields) {
    send(event, roomId, new LinkedHashMap<>(fields));
  }

  private void send(Event event, String roomId, Map<String, Object> fields) {
    if (client == null) {
      return;
    }
    Instant now = Instant.now();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event", event.wireName);
    body.put("room", roomId);
    body.putAll(fields);
    body.put("timestamp", now.toString());
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      log.error("webhook {} for room {} could not be encoded", event.wireName, roomId, e);
      return;
    }
    String signature = "sha256=" + sign(settings.secret(), json);
    for (String url : settings.urls()) {
      attempt(url, json, signature, String.valueOf(now.getEpochSecond()), 1, roomId, event);
    }
  }

  private void attempt(String url, byte[] json, String signature, String timestamp, int attempt, String roomId,
                       Event event) {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(URI.create(url))
          .timeout(settings.timeout())
          .header("Content-Type", "application/json")
          .header(SIGNATURE_HEADER, signature)
          .header(TIMESTAMP_HEADER, timestamp)
          .POST(HttpRequest.BodyPublishers.ofByteArray(json))
          .build();
    } catch (IllegalArgumentException e) {
      log.warn("webhook URL {} is invalid: {}", url, e.getMessage());
      return;
    }
    client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
      boolean delivered = error == null && response.statusCode() / 100 == 2;
      if (delivered) {
        return;
      }
      if (attempt >= settings.maxAttempts()) {
        log.warn("webhook {} for room {} to {} failed after {} attempts: {}", event.wireName, roomId, url, attempt,
            error != null ? error.toString() : "HTTP " + response.statusCode());
        return;
      }
      long delayMillis = settings.initialBackoff().toMillis() << (attempt - 1);
      CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS)
          .execute(() -> attempt(url, json, signature, timestamp, attempt + 1, roomId, event));
    });
  }

  /** Hex HMAC-SHA256 of {@code body}: receivers recompute it with the shared secret. */
  public static String sign(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      byte[] key = secret.getBytes(StandardCharsets.UTF_8);
      // An empty secret still signs (with a zero key) rather than failing; the docs ask operators to set one.
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[32] : key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  List<String> urls() {
    return settings.urls();
  }
}
